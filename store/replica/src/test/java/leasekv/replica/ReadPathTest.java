package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.replica.ReplicaException.Refusal;
import leasekv.replica.UnsafeModes.Mode;
import org.junit.jupiter.api.Test;

/** Lease reads and their ReadIndex fallback (lease rules L9 and L10). */
class ReadPathTest {
  private static CompletableFuture<ServedRead<String>> readK(ReplicaFixture f) {
    return f.replica.reads().read(view -> {
      byte[] v = view.get("k".getBytes(StandardCharsets.UTF_8));
      return v == null ? null : new String(v, StandardCharsets.UTF_8);
    });
  }

  /** n2 answers the heartbeats sent since the last clear (a ReadIndex round). */
  private static void ackHeartbeats(ReplicaFixture f) {
    for (Message hb : f.sent(MessageType.HEARTBEAT)) {
      if (hb.to().equals("n2")) f.receive(ReplicaFixture.ack(hb));
    }
  }

  @Test
  void aFollowerRefusesNamingTheLeaderItKnows() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    ReplicaException unknown = ReplicaFixture.refusal(readK(f));
    assertEquals(Refusal.NOT_LEADER, unknown.refusal());
    assertEquals(null, unknown.leaderId());
    f.receive(ReplicaFixture.appendFromN2(2, 1, 1, java.util.List.of(), 1));
    assertEquals("n2", ReplicaFixture.refusal(readK(f)).leaderId());
  }

  @Test
  void aLeaderWithALeaseReadsLocallyAtItsAppliedState() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    f.write(ReplicaFixture.set("k", "v1"));
    f.clear();
    ServedRead<String> r = ReplicaFixture.done(readK(f));
    assertEquals("v1", r.value());
    assertEquals(ServedRead.How.LEASE, r.how());
    assertEquals(3, r.appliedIndex());
    assertEquals(f.replica.status().term(), r.term());
    assertTrue(f.sent.isEmpty(), "no round trip");
  }

  @Test
  void onceTheLeaseRunsOutAReadTakesAReadIndexRound() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    f.write(ReplicaFixture.set("k", "v1"));
    f.clock.advance(f.replica.leaseNanos());
    f.clear();
    CompletableFuture<ServedRead<String>> read = readK(f);
    f.runInbox();
    assertFalse(read.isDone(), "waits for a quorum's heartbeat answers");
    assertFalse(f.sent(MessageType.HEARTBEAT).isEmpty());
    ackHeartbeats(f);
    assertEquals(ServedRead.How.READ_INDEX, ReplicaFixture.done(read).how());
    assertEquals("v1", ReplicaFixture.done(read).value());
  }

  @Test
  void theReadIndexPolicyNeverReadsFromTheLease() throws Exception {
    ReplicaFixture f = new ReplicaFixture(ReadPolicy.READ_INDEX);
    f.electAndCommit();
    f.write(ReplicaFixture.set("k", "v1"));
    f.clear();
    CompletableFuture<ServedRead<String>> read = readK(f);
    f.runInbox();
    assertFalse(read.isDone());
    ackHeartbeats(f);
    assertEquals(ServedRead.How.READ_INDEX, ReplicaFixture.done(read).how());
  }

  @Test
  void aLeaseReadWaitsUntilTheStateMachineHasAppliedItsArrivalCommitIndex() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    f.holdLane = true;
    f.write(ReplicaFixture.set("k", "v1")); // committed, not applied yet
    assertEquals(3, f.replica.status().commitIndex());
    assertEquals(2, f.replica.appliedIndex());
    CompletableFuture<ServedRead<String>> read = readK(f);
    assertFalse(read.isDone(), "the state machine is behind the read's fence");
    f.runLane();
    assertEquals("v1", ReplicaFixture.done(read).value());
    assertEquals(ServedRead.How.LEASE, ReplicaFixture.done(read).how());
  }

  @Test
  void unsafeLeaseReadSkipsApplyWaitServesTheStaleState() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.of(Mode.LEASE_READ_SKIPS_APPLY_WAIT));
    f.electAndCommit();
    f.holdLane = true;
    f.write(ReplicaFixture.set("k", "v1"));
    ServedRead<String> r = ReplicaFixture.done(readK(f));
    assertEquals(null, r.value(), "an acknowledged write is missing from the read");
    assertEquals(2, r.appliedIndex());
  }

  @Test
  void theLeaseIsCheckedOnTheNodeClockNotTheProcessClock() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    f.clock.advance(f.replica.leaseNanos()); // the node clock says the lease ran out; the process clock lags
    f.clear();
    CompletableFuture<ServedRead<String>> read = readK(f);
    f.runInbox();
    assertFalse(read.isDone(), "falls back to ReadIndex");
    ReplicaFixture unsafe = new ReplicaFixture(UnsafeModes.of(Mode.LEASE_CHECK_ON_PROCESS_CLOCK));
    unsafe.electAndCommit();
    unsafe.clock.advance(unsafe.replica.leaseNanos());
    assertEquals(ServedRead.How.LEASE, ReplicaFixture.done(readK(unsafe)).how(), "UNSAFE: the lagging clock still sees a lease");
  }

  @Test
  void losingLeadershipFailsThePendingReadIndexReads() throws Exception {
    ReplicaFixture f = new ReplicaFixture(ReadPolicy.READ_INDEX);
    f.electAndCommit();
    f.clear();
    CompletableFuture<ServedRead<String>> read = readK(f);
    f.runInbox();
    assertFalse(read.isDone());
    f.receive(ReplicaFixture.appendFromN2(f.replica.status().term() + 1, 1, 1, java.util.List.of(), 1));
    assertEquals(Refusal.NOT_LEADER, ReplicaFixture.refusal(read).refusal());
  }
}
