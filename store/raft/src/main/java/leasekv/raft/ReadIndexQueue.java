package leasekv.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A leader's ReadIndex requests (Raft dissertation §6.4). A request is accepted with the commit index
 * at arrival as its read index, but only after the leader has committed an entry of its own term
 * (until then it waits here, and takes the commit index at that moment). It then waits for a round
 * opened after it; once a quorum has acknowledged that round (or a later one) the leader was still
 * leader after the request arrived, and the request is released as a {@link ReadState}.
 */
final class ReadIndexQueue {
  private record Pending(long requestId, long readIndex, long seq) {}

  private final List<Long> waitingForOwnTermCommit = new ArrayList<>();
  private final List<Pending> waitingForRound = new ArrayList<>();
  private final ArrayDeque<Pending> inRound = new ArrayDeque<>();

  void add(long requestId, boolean committedInOwnTerm, long commitIndex) {
    if (committedInOwnTerm) {
      waitingForRound.add(new Pending(requestId, commitIndex, 0));
    } else {
      waitingForOwnTermCommit.add(requestId);
    }
  }

  /** The leader committed its first entry of the term: the waiting requests read from {@code commitIndex}. */
  void onOwnTermCommit(long commitIndex) {
    for (long id : waitingForOwnTermCommit) waitingForRound.add(new Pending(id, commitIndex, 0));
    waitingForOwnTermCommit.clear();
  }

  boolean needsRound() {
    return !waitingForRound.isEmpty();
  }

  /** Assigns every request waiting for a round to round {@code seq}, just opened. */
  void assignRound(long seq) {
    for (Pending p : waitingForRound) inRound.addLast(new Pending(p.requestId(), p.readIndex(), seq));
    waitingForRound.clear();
  }

  /** Releases, in order, the requests whose round a quorum acknowledged. */
  void release(long quorumAckedSeq, List<ReadState> out) {
    while (!inRound.isEmpty() && inRound.peekFirst().seq() <= quorumAckedSeq) {
      Pending p = inRound.pollFirst();
      out.add(new ReadState(p.requestId(), p.readIndex()));
    }
  }

  /** Leadership is lost: every request still waiting fails. */
  void abortAll(List<Long> out) {
    out.addAll(waitingForOwnTermCommit);
    for (Pending p : waitingForRound) out.add(p.requestId());
    for (Pending p : inRound) out.add(p.requestId());
    waitingForOwnTermCommit.clear();
    waitingForRound.clear();
    inRound.clear();
  }

  int size() {
    return waitingForOwnTermCommit.size() + waitingForRound.size() + inRound.size();
  }
}
