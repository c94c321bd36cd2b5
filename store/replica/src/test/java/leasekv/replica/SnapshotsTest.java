package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import leasekv.fsm.ApplyResult;
import leasekv.raft.ConfState;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.raft.SnapshotMeta;
import leasekv.replica.UnsafeModes.Mode;
import org.junit.jupiter.api.Test;

/** InstallSnapshot on both sides (durability rule D7). */
class SnapshotsTest {
  private static final ConfState PEERS = new ConfState(List.of("n1", "n2", "n3"));

  private static Message install(SnapshotMeta meta) {
    return new Message(MessageType.INSTALL_SNAPSHOT, "n2", "n1", 3, 0, 0, List.of(), 0, false, 0, meta, 1, false);
  }

  @Test
  void aFollowerReplacesItsStateMachineBeforeItResetsItsLog() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    TrackedCheckpoint checkpoint = new TrackedCheckpoint(20, 2, PEERS);
    f.replica.onSnapshotReceived(install(checkpoint.meta()), checkpoint);
    f.runInbox();
    assertEquals(List.of("install snapshot 20 (state machine at 20)"),
        f.calls.stream().filter(c -> c.startsWith("install")).toList());
    assertEquals(20, f.replica.appliedIndex());
    assertEquals(20, f.fsm.appliedIndex());
    Message ack = f.sent(MessageType.APPEND_RESPONSE).get(0);
    assertEquals(20, ack.index());
    assertTrue(f.calls.indexOf("sync") < f.calls.indexOf("send APPEND_RESPONSE to n2"), f.calls.toString());
  }

  @Test
  void unsafeLogResetBeforeInstallResetsTheLogWhileTheStateMachineIsBehind() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.of(Mode.LOG_RESET_BEFORE_INSTALL));
    TrackedCheckpoint checkpoint = new TrackedCheckpoint(20, 2, PEERS);
    f.replica.onSnapshotReceived(install(checkpoint.meta()), checkpoint);
    f.runInbox();
    assertEquals(List.of("install snapshot 20 (state machine at 1)"),
        f.calls.stream().filter(c -> c.startsWith("install")).toList());
    assertEquals(20, f.fsm.appliedIndex(), "then restores");
  }

  @Test
  void aCheckpointThatIsNotTheOneTheMessageNamesIsDroppedAndDiscarded() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    TrackedCheckpoint checkpoint = new TrackedCheckpoint(20, 2, PEERS);
    SnapshotMeta other = new SnapshotMeta(21, 2, PEERS);
    f.replica.onSnapshotReceived(install(other), checkpoint);
    f.runInbox();
    assertTrue(checkpoint.discarded);
    assertEquals(1, f.fsm.appliedIndex(), "still only the bootstrap entry");
    assertTrue(f.calls.stream().noneMatch(c -> c.startsWith("install")), f.calls.toString());
  }

  @Test
  void aLaterCopyOfACheckpointReplacesTheStagedOneAndOlderOnesAreDiscardedAtTheInstall() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    TrackedCheckpoint older = new TrackedCheckpoint(10, 2, PEERS);
    TrackedCheckpoint first = new TrackedCheckpoint(20, 2, PEERS);
    TrackedCheckpoint second = new TrackedCheckpoint(20, 2, PEERS);
    f.replica.onSnapshotReceived(install(older.meta()), older);
    f.replica.onSnapshotReceived(install(first.meta()), first);
    f.replica.onSnapshotReceived(install(second.meta()), second);
    assertTrue(first.discarded, "replaced by the later copy");
    assertFalse(older.discarded);
    f.runInbox();
    assertEquals(20, f.fsm.appliedIndex());
    assertTrue(older.discarded, "below the installed index: never needed again");
    assertFalse(second.discarded, "consumed by the restore, not discarded");
  }

  @Test
  void theCoreAskingForASnapshotThatNeverArrivedStopsTheReplica() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.replica.receive(install(new SnapshotMeta(20, 2, PEERS)));
    ReplicaFailure e = assertThrows(ReplicaFailure.class, f::runInbox);
    assertTrue(e.getMessage().contains("none was received"), e.getMessage());
  }

  @Test
  void anInstallOvertakesTheWritesAtOrBelowItAsUncertain() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    f.holdLane = true;
    CompletableFuture<ApplyResult> pending = f.replica.propose(ReplicaFixture.set("k", "v"));
    f.runInbox();
    TrackedCheckpoint checkpoint = new TrackedCheckpoint(20, 2, PEERS);
    Message fromNewLeader = new Message(MessageType.INSTALL_SNAPSHOT, "n2", "n1", f.replica.status().term() + 1, 0, 0,
        List.of(), 0, false, 0, checkpoint.meta(), 1, false);
    f.replica.onSnapshotReceived(fromNewLeader, checkpoint);
    f.runInbox();
    assertTrue(pending.isCompletedExceptionally());
    assertEquals(20, f.replica.appliedIndex());
  }

  /** n3's answer that it lacks everything after entry 0 (its first append's rejection). */
  private static Message n3LacksEverything(long term) {
    return new Message(MessageType.APPEND_RESPONSE, "n3", "n1", term, 0, 1, List.of(), 0, true, 0, null, 0, false);
  }

  /** n3 answers a heartbeat, then rejects the append the leader may probe it with: it lacks everything. */
  private static void n3AsksAgain(ReplicaFixture f) {
    f.sent.clear();
    for (int i = 0; i < 10 && f.sent(MessageType.HEARTBEAT).stream().noneMatch(m -> m.to().equals("n3")); i++) f.tick(1);
    Message hb = f.sent(MessageType.HEARTBEAT).stream().filter(m -> m.to().equals("n3")).findFirst().orElseThrow();
    f.receive(ReplicaFixture.ack(hb));
    Message probe = f.sent(MessageType.APPEND).stream().filter(m -> m.to().equals("n3")).reduce((a, b) -> b).orElse(null);
    if (probe == null) return; // the leader went straight for a snapshot again
    f.receive(new Message(MessageType.APPEND_RESPONSE, "n3", "n1", probe.term(), 0, probe.index(), List.of(), 0, true, 0,
        null, probe.seq(), false));
  }

  private static long streams(ReplicaFixture f) {
    return f.calls.stream().filter(c -> c.startsWith("stream snapshot")).count();
  }

  @Test
  void aLeaderStreamsACheckpointOfItsAppliedStateAndWithinTheCooldownDoesNotStreamItAgain() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE, ReadPolicy.LEASE, 1_000, 0);
    f.electAndCommit();
    long term = f.replica.status().term();
    f.write(ReplicaFixture.set("k", "3"));
    f.write(ReplicaFixture.set("k", "4"));
    f.replica.compactNow();
    f.runInbox();
    assertEquals(4, f.log.snapshot().index());
    f.clear();
    f.receive(n3LacksEverything(term));
    assertEquals(List.of("stream snapshot 4 to n3"), f.calls.stream().filter(c -> c.startsWith("stream")).toList());
    Message sent = f.sent(MessageType.INSTALL_SNAPSHOT).get(0);
    assertEquals(new SnapshotMeta(4, term, PEERS), sent.snapshot(), "the message names the checkpoint it carries");
    f.snapshotsInFlight.get(0).accept(true);
    f.runInbox();
    n3AsksAgain(f);
    assertEquals(1, streams(f), "sent a moment ago: the follower is still installing it");
    f.clock.advance(Snapshots.RESEND_COOLDOWN_NANOS);
    n3AsksAgain(f);
    assertEquals(2, streams(f), "after the cooldown it is streamed again");
  }

  @Test
  void aFailedStreamIsRetriedWithoutACooldown() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE, ReadPolicy.LEASE, 1_000, 0);
    f.electAndCommit();
    long term = f.replica.status().term();
    f.write(ReplicaFixture.set("k", "3"));
    f.replica.compactNow();
    f.runInbox();
    f.clear();
    f.receive(n3LacksEverything(term));
    assertEquals(1, streams(f));
    f.snapshotsInFlight.get(0).accept(false);
    f.runInbox();
    n3AsksAgain(f);
    assertEquals(2, streams(f));
  }
}
