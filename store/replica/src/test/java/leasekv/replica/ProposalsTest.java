package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import leasekv.fsm.ApplyResult;
import leasekv.raft.Entry;
import leasekv.raft.EntryId;
import leasekv.replica.ReplicaException.Refusal;
import org.junit.jupiter.api.Test;

/** A leader's pending writes: answered by what was applied at their index, or failed with the right refusal. */
class ProposalsTest {
  private final Proposals proposals = new Proposals();

  private CompletableFuture<ApplyResult> register(long term, long index, long deadlineNanos) {
    CompletableFuture<ApplyResult> f = new CompletableFuture<>();
    proposals.register(new EntryId(term, index), deadlineNanos, f);
    return f;
  }

  @Test
  void anEntryAppliedWithTheProposalsTermAnswersItWithTheResult() throws Exception {
    CompletableFuture<ApplyResult> f = register(3, 10, 1_000);
    proposals.onApplied(Entry.normal(3, 10, new byte[0]), ApplyResult.OK);
    assertSame(ApplyResult.OK, ReplicaFixture.done(f));
    assertEquals(0, proposals.size());
  }

  @Test
  void anEntryOfAnotherTermAtTheIndexMeansTheWriteWasOverwrittenAndNotApplied() {
    CompletableFuture<ApplyResult> f = register(3, 10, 1_000);
    proposals.onApplied(Entry.normal(4, 10, new byte[0]), ApplyResult.OK);
    assertEquals(Refusal.NOT_LEADER, ReplicaFixture.refusal(f).refusal());
    assertTrue(Refusal.NOT_LEADER.definite(), "definitely not applied");
  }

  @Test
  void anAppliedEntryNobodyWaitsForChangesNothing() {
    CompletableFuture<ApplyResult> f = register(3, 10, 1_000);
    proposals.onApplied(Entry.normal(3, 9, new byte[0]), ApplyResult.OK);
    assertFalse(f.isDone());
    assertEquals(1, proposals.size());
  }

  @Test
  void aSnapshotInstallLeavesTheWritesAtOrBelowItsIndexUncertainAndKeepsTheRest() {
    CompletableFuture<ApplyResult> below = register(3, 9, 1_000);
    CompletableFuture<ApplyResult> at = register(3, 10, 1_000);
    CompletableFuture<ApplyResult> above = register(3, 11, 1_000);
    proposals.onAppliedThrough(10, "snapshot");
    assertEquals(Refusal.UNCERTAIN, ReplicaFixture.refusal(below).refusal());
    assertEquals(Refusal.UNCERTAIN, ReplicaFixture.refusal(at).refusal());
    assertFalse(above.isDone());
    assertEquals(1, proposals.size());
  }

  @Test
  void losingLeadershipFailsEveryPendingWriteWithTheGivenRefusal() {
    CompletableFuture<ApplyResult> a = register(3, 9, 1_000);
    CompletableFuture<ApplyResult> b = register(3, 12, 1_000);
    proposals.failAll(Refusal.UNCERTAIN, "lost");
    assertEquals(Refusal.UNCERTAIN, ReplicaFixture.refusal(a).refusal());
    assertEquals(Refusal.UNCERTAIN, ReplicaFixture.refusal(b).refusal());
    assertEquals(0, proposals.size());
  }

  @Test
  void aWriteTimesOutAtItsDeadlineNotBefore() {
    CompletableFuture<ApplyResult> early = register(3, 9, 1_000);
    CompletableFuture<ApplyResult> late = register(3, 10, 2_000);
    assertEquals(0, proposals.expire(999));
    assertFalse(early.isDone());
    assertEquals(1, proposals.expire(1_000), "the deadline itself is too late");
    assertEquals(Refusal.TIMEOUT, ReplicaFixture.refusal(early).refusal());
    assertFalse(late.isDone());
    assertEquals(1, proposals.expire(Long.MAX_VALUE));
    assertEquals(Refusal.TIMEOUT, ReplicaFixture.refusal(late).refusal());
    assertEquals(0, proposals.size());
  }

  @Test
  void deadlinesCompareAcrossTheClocksWrapAround() {
    long deadline = Long.MIN_VALUE + 5; // the clock wrapped past Long.MAX_VALUE
    CompletableFuture<ApplyResult> f = register(3, 9, deadline);
    assertEquals(0, proposals.expire(Long.MAX_VALUE - 5), "10 ns before the deadline");
    assertEquals(1, proposals.expire(deadline));
    assertEquals(Refusal.TIMEOUT, ReplicaFixture.refusal(f).refusal());
  }
}
