package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import leasekv.fsm.Checkpoint;
import leasekv.fsm.FsmOptions;
import leasekv.fsm.StateMachine;
import leasekv.metrics.MetricsRegistry;
import leasekv.raft.Clock;
import leasekv.raft.Message;
import leasekv.replica.Ports;
import leasekv.replica.Replica;
import leasekv.replica.Transport;
import leasekv.wal.Wal;
import leasekv.wal.WalOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the replica's thread. The thread writes and syncs the WAL through a FileChannel, and a
 * FileChannel closes itself when the thread using it is interrupted: a stop that interrupted the
 * thread in the middle of a Ready made the WAL fail, and the loop halted the whole process (every
 * node of a test JVM). A stop lets the turn in progress finish instead.
 */
class RaftLoopTest {
  @TempDir Path dir;
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private Wal wal;
  private StateMachine fsm;
  private ApplyThread lane;

  @AfterEach
  void close() throws Exception {
    if (lane != null) lane.close();
    if (fsm != null) fsm.close();
    if (wal != null) wal.close();
  }

  @Test
  void aStopLetsTheFileIoOfTheTurnInProgressFinish() throws Exception {
    ReplicaInbox inbox = new ReplicaInbox();
    RaftLoop loop = new RaftLoop(inbox, replica(inbox), new AdjustableClock(Clock.SYSTEM), fatal::set).start();
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean wrote = new AtomicBoolean();
    inbox.post(r -> {
      started.countDown();
      writeFor(dir.resolve("io"), 300); // as a WAL append and fsync do
      wrote.set(true);
    });
    assertTrue(started.await(5, TimeUnit.SECONDS));
    loop.stop();
    assertNull(fatal.get(), "the stop made the turn's I/O fail");
    assertTrue(wrote.get(), "the turn in progress finished before the stop returned");
  }

  @Test
  void aStopEndsAnIdleLoopPromptly() throws Exception {
    ReplicaInbox inbox = new ReplicaInbox();
    RaftLoop loop = new RaftLoop(inbox, replica(inbox), new AdjustableClock(Clock.SYSTEM), fatal::set).start();
    Thread.sleep(100);
    long t0 = System.nanoTime();
    loop.stop();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(millis < 1_000, "stop took " + millis + " ms");
    assertNull(fatal.get());
  }

  private Replica replica(ReplicaInbox inbox) throws IOException {
    NodeConfig config = new LocalCluster(dir, 1, c -> c).config("n1");
    wal = Wal.open(WalOptions.defaults(config.walDir()));
    fsm = StateMachine.open(new FsmOptions(config.fsmDir(), config.fsmSyncMode(), config.unsafe().fsmModes(), false));
    lane = new ApplyThread(fatal::set);
    NodeMetrics metrics = new NodeMetrics(new MetricsRegistry(), config.fsmSyncMode());
    return Replica.recover(config.replicaConfig(), new Ports(new WalLogStore(wal, new CrashPoints()), fsm,
        new NoPeers(), lane, inbox.asPort(), new AdjustableClock(Clock.SYSTEM), Clock.SYSTEM, new Random(1), metrics));
  }

  /** Writes and syncs a file for {@code millis}, through a channel an interrupt would close. */
  private static void writeFor(Path file, long millis) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      while (System.nanoTime() < end) {
        ch.write(ByteBuffer.wrap(new byte[4096]), 0);
        ch.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A single node has no one to send to. */
  private static final class NoPeers implements Transport {
    @Override
    public boolean send(Message message) {
      return false;
    }

    @Override
    public boolean isConnected(String peer) {
      return false;
    }

    @Override
    public void sendSnapshot(Message install, Checkpoint checkpoint, Consumer<Boolean> done) {
      done.accept(false);
    }
  }
}
