package leasekv.raft;

import java.util.ArrayDeque;

/**
 * The leader's view of one follower's log (etcd's tracker.Progress, simplified).
 *
 * <ul>
 *   <li>PROBE: we do not know where the logs diverge; send one append and wait for its answer.
 *   <li>REPLICATE: the logs match up to {@code match}; stream appends optimistically, at most
 *       {@code maxInflight} messages unanswered.
 *   <li>SNAPSHOT: the follower needs entries we compacted; wait until the node reports the snapshot.
 * </ul>
 */
final class Progress {
  enum State { PROBE, REPLICATE, SNAPSHOT }

  long match;
  long next;
  State state = State.PROBE;
  /** In PROBE: an append is outstanding, wait for a response (or a heartbeat response) before the next. */
  boolean probeSent;
  /** In SNAPSHOT: the index of the snapshot being sent. */
  long pendingSnapshot;
  /** match when the previous heartbeat response arrived (detects lost appends). */
  long matchAtLastHeartbeat = -1;
  /** Whether the follower answered anything since the last check-quorum. */
  boolean recentActive;
  private final int maxInflight;
  /** Last index of each unanswered append, oldest first. */
  private final ArrayDeque<Long> inflight = new ArrayDeque<>();

  Progress(long next, int maxInflight) {
    this.next = next;
    this.maxInflight = maxInflight;
  }

  boolean isPaused() {
    switch (state) {
      case PROBE: return probeSent;
      case REPLICATE: return inflight.size() >= maxInflight;
      default: return true;
    }
  }

  int inflightCount() {
    return inflight.size();
  }

  /** The follower acknowledged entries up to {@code index}; returns whether that was news. */
  boolean maybeUpdate(long index) {
    boolean updated = false;
    if (match < index) {
      match = index;
      updated = true;
      probeSent = false;
    }
    next = Math.max(next, index + 1);
    return updated;
  }

  /**
   * The follower rejected an append whose previous index was {@code rejected}; it suggests {@code
   * nextProbe} as the last index that may match. Returns false if the rejection is stale.
   */
  boolean maybeDecrTo(long rejected, long nextProbe) {
    if (state == State.REPLICATE) {
      if (rejected <= match) return false;
      next = match + 1;
      return true;
    }
    if (next - 1 != rejected) return false;
    next = Math.max(Math.min(rejected, nextProbe + 1), match + 1);
    probeSent = false;
    return true;
  }

  void sentEntries(long lastIndex) {
    if (state == State.REPLICATE) {
      next = lastIndex + 1;
      inflight.addLast(lastIndex);
    } else if (state == State.PROBE) {
      probeSent = true;
    }
  }

  void freeInflightUpTo(long index) {
    while (!inflight.isEmpty() && inflight.peekFirst() <= index) inflight.pollFirst();
  }

  /** A heartbeat answer when all slots are taken: assume the oldest append was lost and free its slot. */
  void freeFirstIfFull() {
    if (inflight.size() >= maxInflight) inflight.pollFirst();
  }

  void becomeProbe() {
    if (state == State.SNAPSHOT) {
      next = Math.max(match + 1, pendingSnapshot + 1);
      pendingSnapshot = 0;
    } else {
      next = match + 1;
    }
    state = State.PROBE;
    probeSent = false;
    inflight.clear();
  }

  void becomeReplicate() {
    state = State.REPLICATE;
    next = match + 1;
    probeSent = false;
    inflight.clear();
  }

  void becomeSnapshot(long snapshotIndex) {
    state = State.SNAPSHOT;
    pendingSnapshot = snapshotIndex;
    probeSent = false;
    inflight.clear();
  }

  @Override
  public String toString() {
    return state + " match=" + match + " next=" + next + (probeSent ? " probeSent" : "") + " inflight=" + inflight.size();
  }
}
