package leasekv.fsm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import leasekv.fsm.Command;
import leasekv.fsm.CommandCodec;
import leasekv.fsm.FsmOptions;
import leasekv.fsm.StateMachine;
import leasekv.fsm.SyncMode;
import leasekv.raft.Entry;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * State-machine apply in sync vs nosync mode, one apply() call per invocation holding
 * {@code batchSize} SET entries (16-byte keys over a 100k key space, 100-byte values). The primary
 * score is apply() calls per second; the {@code entries} counter is entries per second.
 * {@code rawRocksDbWrite} writes the same puts as one WriteBatch straight into a RocksDB with the
 * same WriteOptions: the floor the state machine's own work (decode, type check, de-dup, applied
 * index) adds to, measured under the same machine load.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FsmApplyBenchmark {
  @Param({"sync", "nosync"})
  public String mode;

  @Param({"1", "64"})
  public int batchSize;

  private Path dir;
  private StateMachine fsm;
  private RocksDB raw;
  private org.rocksdb.Options rawOptions;
  private WriteOptions rawWrite;
  private final Random rnd = new Random(42);
  private final byte[] value = new byte[100];

  /** Counts applied entries, reported per second next to the batch throughput. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    public long entries;
  }

  @Setup(Level.Trial)
  public void open() throws Exception {
    dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir"))), "fsm-bench-");
    fsm = StateMachine.open(FsmOptions.defaults(dir.resolve("fsm")).withSyncMode(SyncMode.parse(mode)));
    rawOptions = new org.rocksdb.Options().setCreateIfMissing(true);
    raw = RocksDB.open(rawOptions, dir.resolve("raw").toString());
    rawWrite = new WriteOptions().setSync(SyncMode.parse(mode) == SyncMode.SYNC);
    rnd.nextBytes(value);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    fsm.close();
    raw.close();
    rawOptions.close();
    rawWrite.close();
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public Object apply(Counters counters) throws Exception {
    long first = fsm.appliedIndex() + 1;
    List<Entry> batch = new ArrayList<>(batchSize);
    for (int i = 0; i < batchSize; i++) {
      byte[] key = String.format("key-%011d", rnd.nextInt(100_000)).getBytes();
      batch.add(Entry.normal(1, first + i, CommandCodec.encode(new Command.Set(null, key, value))));
    }
    counters.entries += batchSize;
    return fsm.apply(batch);
  }

  @Benchmark
  public void rawRocksDbWrite(Counters counters) throws Exception {
    try (WriteBatch batch = new WriteBatch()) {
      for (int i = 0; i < batchSize; i++) {
        batch.put(String.format("key-%011d", rnd.nextInt(100_000)).getBytes(), value);
      }
      raw.write(rawWrite, batch);
    }
    counters.entries += batchSize;
  }
}
