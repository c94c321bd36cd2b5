package leasekv.replica;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import leasekv.fsm.ApplyResult;
import leasekv.raft.Entry;
import leasekv.raft.EntryId;
import leasekv.replica.ReplicaException.Refusal;

/**
 * Writes this replica proposed as leader and is waiting to see applied.
 *
 * <p>A proposal is done when its index is applied: with the proposal's term it succeeded (the state
 * machine's result answers it); with another term the entry was overwritten, so it was never
 * committed and is definitely not applied. Losing leadership or running out of time leaves the
 * outcome unknown (UNCERTAIN, TIMEOUT); a client retrying with the same request id then gets the
 * recorded result or applies the write once.
 *
 * <p>Registered on the replica's thread, completed on the apply lane; both may race on one entry,
 * hence the concurrent map and remove-then-complete.
 */
final class Proposals {
  private record Pending(long term, long deadlineNanos, CompletableFuture<ApplyResult> future) {}

  private final ConcurrentSkipListMap<Long, Pending> byIndex = new ConcurrentSkipListMap<>();

  void register(EntryId id, long deadlineNanos, CompletableFuture<ApplyResult> future) {
    byIndex.put(id.index(), new Pending(id.term(), deadlineNanos, future));
  }

  /** The state machine applied {@code entry} with {@code result}. */
  void onApplied(Entry entry, ApplyResult result) {
    Pending p = byIndex.remove(entry.index());
    if (p == null) return;
    if (p.term() == entry.term()) {
      p.future().complete(result);
    } else {
      p.future()
          .completeExceptionally(
              new ReplicaException(
                  Refusal.NOT_LEADER,
                  null,
                  "the entry was replaced by term " + entry.term() + "; not applied"));
    }
  }

  /** Everything at or below {@code index} was applied or skipped (a snapshot was installed). */
  void onAppliedThrough(long index, String why) {
    Map<Long, Pending> done = byIndex.headMap(index, true);
    List<Pending> failed = new ArrayList<>(done.values());
    done.clear();
    for (Pending p : failed)
      p.future().completeExceptionally(new ReplicaException(Refusal.UNCERTAIN, why));
  }

  /** Leadership was lost: every pending write may or may not commit under the next leader. */
  void failAll(Refusal refusal, String why) {
    List<Pending> all = new ArrayList<>(byIndex.values());
    byIndex.clear();
    for (Pending p : all) p.future().completeExceptionally(new ReplicaException(refusal, why));
  }

  /** Fails proposals whose deadline passed with TIMEOUT; returns how many. */
  int expire(long nowNanos) {
    int expired = 0;
    for (var it = byIndex.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (nowNanos - e.getValue().deadlineNanos() >= 0
          && byIndex.remove(e.getKey(), e.getValue())) {
        e.getValue()
            .future()
            .completeExceptionally(
                new ReplicaException(Refusal.TIMEOUT, "not committed within the request timeout"));
        expired++;
      }
    }
    return expired;
  }

  int size() {
    return byIndex.size();
  }
}
