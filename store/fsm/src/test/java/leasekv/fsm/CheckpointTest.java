package leasekv.fsm;

import static leasekv.fsm.FsmTestSupport.entry;
import static leasekv.fsm.FsmTestSupport.set;
import static leasekv.fsm.FsmTestSupport.workload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.SnapshotMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path tmp;
  private static final ConfState PEERS = new ConfState(List.of("n1", "n2", "n3"));

  /** Streams a checkpoint in small chunks, as the node does over the snapshot lane. */
  private static DirectoryCheckpoint stream(Path from, CheckpointReceiver to) throws IOException {
    List<CheckpointFiles.FileInfo> files = CheckpointFiles.list(from);
    for (CheckpointFiles.FileInfo f : files) {
      long offset = 0;
      do {
        byte[] chunk = CheckpointFiles.readChunk(from, f.name(), offset, 4096);
        to.write(f.name(), offset, chunk);
        offset += chunk.length;
      } while (offset < f.sizeBytes());
    }
    return to.finish(files);
  }

  @Test
  void checkpointStreamedAndRestoredGivesAnIdenticalReplica() throws Exception {
    List<Entry> log = workload(600, 21);
    try (StateMachine leader = StateMachine.open(FsmOptions.defaults(tmp.resolve("leader")));
        StateMachine follower = StateMachine.open(FsmOptions.defaults(tmp.resolve("follower")))) {
      leader.apply(log.subList(0, 400));
      DirectoryCheckpoint made = (DirectoryCheckpoint) leader.createCheckpoint(PEERS);
      Path snapshot = made.dir();
      SnapshotMeta meta = made.meta();
      assertEquals(new SnapshotMeta(400, 1, PEERS), meta);
      assertEquals(meta, DirectoryCheckpoint.read(snapshot).meta());
      leader.apply(log.subList(400, 600)); // the leader moves on; the checkpoint stays at 400

      follower.apply(List.of(entry(1, set("stale", "state")))); // replaced wholesale
      CheckpointReceiver receiver = new CheckpointReceiver(rocks(follower).newStagingDir());
      DirectoryCheckpoint received = stream(snapshot, receiver);
      assertEquals(meta, received.meta());
      assertTrue(follower.installedCheckpointMeta().isEmpty());
      assertEquals(meta, follower.restoreFromCheckpoint(received));
      assertEquals(meta, follower.installedCheckpointMeta().orElseThrow());
      assertEquals(400, follower.appliedIndex());
      assertEquals(400, follower.durableAppliedIndex(), "an installed snapshot is durable");
      follower.apply(log.subList(400, 600));
      assertEquals(leader.digest(), follower.digest());
    }
    try (StateMachine follower = StateMachine.open(FsmOptions.defaults(tmp.resolve("follower")))) {
      assertEquals(600, follower.appliedIndex(), "the restored state is the live one after restart");
      assertEquals(1, Files.list(tmp.resolve("follower")).filter(p -> p.getFileName().toString().startsWith("db-")).count());
    }
  }

  @Test
  void checkpointRecordsTheAppliedMembershipOverTheBootstrapOne() throws Exception {
    ConfState four = new ConfState(List.of("n1", "n2", "n3", "n4"));
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(tmp.resolve("fsm")))) {
      fsm.apply(List.of(Entry.noop(3, 1), new Entry(3, 2, EntryType.CONFIG, four.encode())));
      assertEquals(new SnapshotMeta(2, 3, four), fsm.createCheckpoint(PEERS).meta());
      RocksEngine engine = rocks(fsm);
      engine.checkpointTo(tmp.resolve("c"), new SnapshotMeta(2, 3, four));
      assertThrows(IOException.class, () -> engine.checkpointTo(tmp.resolve("c"), new SnapshotMeta(2, 3, four)),
          "target exists");
    }
  }

  @Test
  void incompleteOrForgedTransfersAreRefused() throws Exception {
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(tmp.resolve("fsm")))) {
      fsm.apply(workload(50, 1));
      Path snap = ((DirectoryCheckpoint) fsm.createCheckpoint(PEERS)).dir();
      List<CheckpointFiles.FileInfo> files = CheckpointFiles.list(snap);
      assertTrue(files.stream().anyMatch(f -> f.name().equals(SnapshotMetaFile.NAME)));

      CheckpointReceiver partial = new CheckpointReceiver(rocks(fsm).newStagingDir());
      CheckpointFiles.FileInfo first = files.get(0);
      partial.write(first.name(), 0, CheckpointFiles.readChunk(snap, first.name(), 0, 1 << 20));
      IOException missing = assertThrows(IOException.class, () -> partial.finish(files));
      assertTrue(missing.getMessage().contains("was not received"), missing.getMessage());
      partial.abort();
      assertFalse(Files.exists(partial.dir()));

      CheckpointReceiver evil = new CheckpointReceiver(rocks(fsm).newStagingDir());
      assertThrows(IllegalArgumentException.class, () -> evil.write("../ACTIVE", 0, new byte[1]));
      assertThrows(IllegalArgumentException.class, () -> CheckpointFiles.readChunk(snap, "../x", 0, 1));
      evil.abort();

      Path noMeta = tmp.resolve("not-a-checkpoint");
      Files.createDirectories(noMeta);
      IOException e = assertThrows(IOException.class,
          () -> fsm.restoreFromCheckpoint(new DirectoryCheckpoint(noMeta, new SnapshotMeta(50, 1, PEERS))));
      assertTrue(e.getMessage().contains("not a leasekv checkpoint"), e.getMessage());
      assertEquals(50, fsm.appliedIndex(), "a refused restore leaves the state alone");
    }
  }

  private static RocksEngine rocks(StateMachine fsm) {
    return (RocksEngine) fsm.engine();
  }
}
