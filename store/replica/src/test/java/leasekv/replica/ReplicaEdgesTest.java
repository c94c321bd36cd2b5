package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import leasekv.raft.Entry;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.raft.Role;
import leasekv.replica.ReplicaException.Refusal;
import leasekv.replica.UnsafeModes.Mode;
import org.junit.jupiter.api.Test;

/** The replica at the edges of its timer, read path, role bookkeeping and apply batching. */
class ReplicaEdgesTest {
  private static CompletableFuture<ServedRead<String>> readK(ReplicaFixture f) {
    return f.replica.reads().read(view -> {
      byte[] v = view.get("k".getBytes(StandardCharsets.UTF_8));
      return v == null ? null : new String(v, StandardCharsets.UTF_8);
    });
  }

  @Test
  void theTimerIsDueInTheTimeLeftToTheNextTick() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    long first = f.replica.nanosUntilTimer();
    assertTrue(first > 0 && first <= ReplicaFixture.TICK_NANOS, "due within a tick: " + first);
    f.clock.advance(3_000_000L);
    assertEquals(first - 3_000_000L, f.replica.nanosUntilTimer());
  }

  @Test
  void ticksCaughtUpAfterAClockJumpAdvanceTheElectionTimer() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    // Four jumps of three ticks (one tick and two catch-up ticks each) pass the election timeout;
    // four plain ticks would not.
    for (int jump = 0; jump < 4; jump++) {
      f.clock.advance(3 * ReplicaFixture.TICK_NANOS);
      f.processClock.advance(3 * ReplicaFixture.TICK_NANOS);
      f.replica.onTimer();
      f.runInbox();
    }
    assertFalse(f.sent(MessageType.PRE_VOTE).isEmpty(), "the election timer counted the caught-up ticks");
  }

  @Test
  void theReadIndexPolicyDoesNotEvenTryTheLease() throws Exception {
    ReplicaFixture f = new ReplicaFixture(ReadPolicy.READ_INDEX);
    f.electAndCommit();
    f.write(ReplicaFixture.set("k", "v1"));
    f.metrics.clear();
    readK(f);
    f.runInbox();
    assertEquals(List.of("read index round"), f.metrics);
  }

  @Test
  void aReadWithTheLeaseCheckOffIsMarkedUnsafe() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.of(Mode.NO_LEASE_CHECK));
    f.electAndCommit();
    f.write(ReplicaFixture.set("k", "v1"));
    ServedRead<String> r = ReplicaFixture.done(readK(f));
    assertEquals("v1", r.value());
    assertEquals(ServedRead.How.LOCAL_UNSAFE, r.how());
  }

  @Test
  void aPendingReadIndexReadFailsWhenALaterTermTakesTheLeadership() throws Exception {
    ReplicaFixture f = new ReplicaFixture(ReadPolicy.READ_INDEX);
    f.electAndCommit();
    long term = f.replica.status().term();
    CompletableFuture<ServedRead<String>> read = readK(f);
    f.runInbox();
    assertFalse(read.isDone(), "waits for its ReadIndex round");
    f.receive(ReplicaFixture.appendFromN2(term + 1, term, 2, List.of(), 2));
    assertEquals(Role.FOLLOWER, f.replica.status().role());
    ReplicaException e = ReplicaFixture.refusal(read);
    assertEquals(Refusal.NOT_LEADER, e.refusal());
    assertEquals("n2", e.leaderId(), "the core aborted the read: the refusal names the new leader");
  }

  @Test
  void aWritePendingWhenALaterTermTakesOverIsUncertainAtOnce() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    long term = f.replica.status().term();
    CompletableFuture<leasekv.fsm.ApplyResult> write = f.replica.propose(ReplicaFixture.set("k", "v"));
    f.runInbox();
    f.receive(ReplicaFixture.appendFromN2(term + 1, term, 2, List.of(), 2)); // its entry is neither applied nor replaced
    assertEquals(Role.FOLLOWER, f.replica.status().role());
    assertEquals(Refusal.UNCERTAIN, ReplicaFixture.refusal(write).refusal());
  }

  @Test
  void learningTheLeaderOfTheCurrentTermCountsAsALeaderChange() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.receive(new Message(MessageType.VOTE, "n3", "n1", 5, 1, 1, List.of(), 0, false, 0, null, 1, false));
    assertEquals(5, f.replica.status().term());
    assertEquals(null, f.replica.status().leaderId());
    f.metrics.clear();
    f.receive(ReplicaFixture.appendFromN2(5, 1, 1, List.of(), 1));
    assertEquals("n2", f.replica.status().leaderId());
    assertTrue(f.metrics.contains("leader changed"), f.metrics.toString());
  }

  @Test
  void committedEntriesAreAppliedInBatchesOfAtMost4096() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.holdLane = true;
    int n = ApplyPipeline.MAX_ENTRIES_PER_BATCH + 5;
    List<Entry> entries = new ArrayList<>();
    for (long i = 2; i < 2 + n; i++) entries.add(Entry.noop(2, i));
    f.receive(ReplicaFixture.appendFromN2(2, 1, 1, entries, 1 + n));
    f.metrics.clear();
    f.runLane();
    List<String> batches = f.metrics.stream().filter(m -> m.startsWith("apply batch ")).map(m -> m.substring(0, m.indexOf(" in "))).toList();
    assertEquals(List.of("apply batch " + ApplyPipeline.MAX_ENTRIES_PER_BATCH, "apply batch 5"), batches);
  }
  /** Advances both clocks, runs the timer, and has n2 answer every heartbeat (n1 keeps leading) but no append. */
  private static void advanceKeepingLeadership(ReplicaFixture f, long nanos) {
    f.clear();
    f.clock.advance(nanos);
    f.processClock.advance(nanos);
    f.replica.onTimer();
    f.runInbox();
    for (Message hb : f.sent(MessageType.HEARTBEAT)) {
      if (hb.to().equals("n2")) f.receive(ReplicaFixture.ack(hb));
    }
  }

  @Test
  void aWriteTimesOutAtTheFirstTickAfterItsDeadlineNotBetweenTicks() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit(); // the clock is on a tick
    long half = ReplicaFixture.TICK_NANOS / 2;
    f.clock.advance(half); // the write's deadline (100 ticks on) falls between two ticks
    f.processClock.advance(half);
    CompletableFuture<leasekv.fsm.ApplyResult> write = f.replica.propose(ReplicaFixture.set("k", "v"));
    f.runInbox();
    advanceKeepingLeadership(f, half);
    for (int i = 0; i < 99; i++) advanceKeepingLeadership(f, ReplicaFixture.TICK_NANOS); // the tick before the deadline
    assertEquals(Role.LEADER, f.replica.status().role());
    assertFalse(write.isDone());
    advanceKeepingLeadership(f, half); // exactly at the deadline, half a tick before the next
    assertFalse(write.isDone(), "the timer has no work between ticks");
    advanceKeepingLeadership(f, half);
    assertEquals(Refusal.TIMEOUT, ReplicaFixture.refusal(write).refusal());
  }
  /** Makes n1 leader with n2's vote and a lease from n2's heartbeat answer, its own first entry not yet committed. */
  private static void electWithLeaseButNoOwnTermCommit(ReplicaFixture f) {
    for (int i = 0; i < 10 * ReplicaFixture.ELECTION_TICKS && f.sent(MessageType.PRE_VOTE).isEmpty() && f.sent(MessageType.VOTE).isEmpty(); i++) {
      f.tick(1);
    }
    for (Message pv : f.sent(MessageType.PRE_VOTE)) {
      if (pv.to().equals("n2")) f.receive(ReplicaFixture.reply(pv, MessageType.PRE_VOTE_RESPONSE, pv.term(), false));
    }
    Message vote = f.sent(MessageType.VOTE).stream().filter(m -> m.to().equals("n2")).findFirst().orElseThrow();
    f.receive(ReplicaFixture.reply(vote, MessageType.VOTE_RESPONSE, vote.term(), false));
    assertEquals(Role.LEADER, f.replica.status().role());
    for (int i = 0; i < 10 && f.sent(MessageType.HEARTBEAT).stream().noneMatch(m -> m.to().equals("n2")); i++) f.tick(1);
    Message hb = f.sent(MessageType.HEARTBEAT).stream().filter(m -> m.to().equals("n2")).reduce((a, b) -> b).orElseThrow();
    f.receive(ReplicaFixture.ack(hb));
    assertTrue(f.replica.status().commitIndex() < f.replica.status().lastIndex(), "the new leader's entry is not committed");
  }

  @Test
  void aNewLeaderReadsThroughReadIndexUntilItCommitsInItsOwnTerm() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    electWithLeaseButNoOwnTermCommit(f);
    f.metrics.clear();
    CompletableFuture<ServedRead<String>> read = readK(f);
    f.runInbox();
    assertFalse(read.isDone(), "no lease read before the own-term commit (rule L9)");
    assertFalse(f.metrics.contains("lease read hit"), f.metrics.toString());

    ReplicaFixture unsafe = new ReplicaFixture(UnsafeModes.of(Mode.READ_BEFORE_OWN_TERM_COMMIT));
    electWithLeaseButNoOwnTermCommit(unsafe);
    ServedRead<String> r = ReplicaFixture.done(readK(unsafe));
    assertEquals(ServedRead.How.LEASE, r.how(), "the unsafe mode reads from the lease at once");
  }
  /**
   * Rule L9 when the apply lane is behind: a read that arrived before the own-term commit is not
   * served from the lease after that commit lands, since its fence (the arrival commit index) may
   * miss writes the previous leader acknowledged.
   */
  @Test
  void aReadArrivingBeforeTheOwnTermCommitIsNotServedFromTheLeaseAfterIt() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.holdLane = true; // the state machine stays behind the commit index
    f.receive(ReplicaFixture.appendFromN2(2, 1, 1, List.of(Entry.noop(2, 2), Entry.noop(2, 3)), 3));
    electWithLeaseButNoOwnTermCommit(f);
    long ownEntry = f.replica.status().lastIndex();
    CompletableFuture<ServedRead<String>> read = readK(f);
    f.runInbox();
    assertFalse(read.isDone());
    Message append = f.sent(MessageType.APPEND).stream()
        .filter(m -> m.to().equals("n2") && !m.entries().isEmpty() && m.entries().get(m.entries().size() - 1).index() == ownEntry)
        .reduce((a, b) -> b).orElseThrow();
    f.receive(ReplicaFixture.ack(append));
    assertEquals(ownEntry, f.replica.status().commitIndex(), "committed in its own term");
    f.runLane();
    assertTrue(!read.isDone() || ReplicaFixture.done(read).how() == ServedRead.How.READ_INDEX,
        "not from the lease: " + (read.isDone() ? ReplicaFixture.done(read).how() : "pending"));
  }
  @Test
  void aReadyThatCommitsNothingQueuesNoApplyWork() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.receive(ReplicaFixture.appendFromN2(2, 1, 1, List.of(Entry.noop(2, 2)), 2));
    f.holdLane = true;
    f.receive(ReplicaFixture.appendFromN2(2, 2, 2, List.of(Entry.noop(2, 3)), 2)); // stored, not yet committed
    assertEquals(List.of(), List.copyOf(f.laneJobs), "nothing to apply: no job for the apply lane");
  }

  @Test
  void aCompactionPassWithNothingToCompactPostsNothing() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE, ReadPolicy.LEASE, 1_000, 2);
    f.electAndCommit();
    assertEquals(2, f.replica.appliedIndex());
    CompletableFuture<Long> target = f.replica.compactNow();
    assertEquals(0L, ReplicaFixture.done(target), "applied 2, retaining 2");
    assertTrue(f.inbox.isEmpty(), "no compaction posted to the replica thread");
  }
}
