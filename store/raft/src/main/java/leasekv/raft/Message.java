package leasekv.raft;

import java.util.List;
import java.util.Objects;

/**
 * A message between two cores; an immutable value the node serializes field by field. Fields a type
 * does not use are zero, false, empty or null (snapshot).
 *
 * <table>
 *   <caption>What each field means per type</caption>
 *   <tr><th>type</th><th>logTerm / index</th><th>entries, commit</th><th>reject / rejectHint</th>
 *       <th>seq</th><th>transfer</th></tr>
 *   <tr><td>PRE_VOTE, VOTE</td><td>candidate's last log term / index</td><td>-</td><td>-</td>
 *       <td>transfer campaigns: the seq of the TimeoutNow that started it</td>
 *       <td>true for a leadership-transfer campaign</td></tr>
 *   <tr><td>*_VOTE_RESPONSE</td><td>-</td><td>-</td><td>reject = vote not granted</td><td>-</td><td>-</td></tr>
 *   <tr><td>APPEND</td><td>term / index of the entry before {@code entries}</td>
 *       <td>entries to append; leader's commit index</td><td>-</td><td>leader's round</td><td>-</td></tr>
 *   <tr><td>APPEND_RESPONSE</td><td>index: success: last index known to match; reject: the rejected
 *       prev index. logTerm: term at rejectHint</td><td>-</td>
 *       <td>reject = log did not match; rejectHint = follower's guess of the last index that may match</td>
 *       <td>echo of the request's seq; 0 answers a request from a stale term</td><td>-</td></tr>
 *   <tr><td>HEARTBEAT</td><td>-</td><td>commit: min(leader commit, follower's match)</td><td>-</td>
 *       <td>leader's round</td><td>-</td></tr>
 *   <tr><td>HEARTBEAT_RESPONSE</td><td>-</td><td>-</td><td>-</td><td>echo of the heartbeat's seq</td><td>-</td></tr>
 *   <tr><td>INSTALL_SNAPSHOT</td><td>-</td><td>-</td><td>-</td><td>leader's round</td><td>-</td></tr>
 *   <tr><td>TIMEOUT_NOW</td><td>-</td><td>-</td><td>-</td><td>the transfer's round</td><td>-</td></tr>
 * </table>
 *
 * <p>{@code seq} is the leader's round number. A leader opens a round (numbered, with its clock
 * reading) for every heartbeat broadcast and ReadIndex batch; every message it sends carries the
 * round that was open when it was sent, so a round's recorded time is never later than the real send
 * time. Followers echo it, and an acknowledgement extends the lease only from its own round's time.
 *
 * @param snapshot the snapshot to install (INSTALL_SNAPSHOT only), else null
 */
public record Message(
    MessageType type,
    String from,
    String to,
    long term,
    long logTerm,
    long index,
    List<Entry> entries,
    long commit,
    boolean reject,
    long rejectHint,
    SnapshotMeta snapshot,
    long seq,
    boolean transfer) {

  public Message {
    Objects.requireNonNull(type, "message type");
    Objects.requireNonNull(from, "message from");
    Objects.requireNonNull(to, "message to");
    entries = entries == null ? List.of() : List.copyOf(entries);
    if (term < 0 || logTerm < 0 || index < 0 || commit < 0 || rejectHint < 0 || seq < 0) {
      throw new IllegalArgumentException("negative field in " + type + " from " + from);
    }
    if (type == MessageType.INSTALL_SNAPSHOT && snapshot == null) {
      throw new IllegalArgumentException("INSTALL_SNAPSHOT from " + from + " without snapshot meta");
    }
  }

  /**
   * Entries must follow {@link #index()} without gaps and carry no term above the message's; a
   * corrupt or buggy peer's message is refused before it can touch the log.
   */
  void checkEntriesFollowIndex() {
    for (int k = 0; k < entries.size(); k++) {
      Entry e = entries.get(k);
      if (e.index() != index + 1 + k || e.term() > term) {
        throw new IllegalArgumentException("malformed " + type + " from " + from + ": entry " + e + " at position " + k
            + " after index " + index + " in term " + term);
      }
    }
  }

  /** The lane the transport must send this message on. */
  public Lane lane() {
    return type.lane();
  }

  /** Total payload bytes of the entries, for transport accounting. */
  public long entriesBytes() {
    long bytes = 0;
    for (Entry e : entries) bytes += e.sizeBytes();
    return bytes;
  }

  static Message of(MessageType type, String from, String to, long term) {
    return new Message(type, from, to, term, 0, 0, List.of(), 0, false, 0, null, 0, false);
  }

  static Message installSnapshot(String from, String to, long term, SnapshotMeta snapshot, long seq) {
    return new Message(MessageType.INSTALL_SNAPSHOT, from, to, term, 0, 0, List.of(), 0, false, 0, snapshot, seq, false);
  }

  Message withLog(long logTerm, long index) {
    return new Message(type, from, to, term, logTerm, index, entries, commit, reject, rejectHint, snapshot, seq, transfer);
  }

  Message withEntries(List<Entry> newEntries, long newCommit) {
    return new Message(type, from, to, term, logTerm, index, newEntries, newCommit, reject, rejectHint, snapshot, seq, transfer);
  }

  Message withCommit(long newCommit) {
    return new Message(type, from, to, term, logTerm, index, entries, newCommit, reject, rejectHint, snapshot, seq, transfer);
  }

  Message withReject(boolean newReject, long newRejectHint) {
    return new Message(type, from, to, term, logTerm, index, entries, commit, newReject, newRejectHint, snapshot, seq, transfer);
  }

  /** The same message naming another snapshot (the checkpoint the leader actually streams). */
  public Message withSnapshot(SnapshotMeta meta) {
    return new Message(type, from, to, term, logTerm, index, entries, commit, reject, rejectHint, meta, seq, transfer);
  }

  Message withSeq(long newSeq) {
    return new Message(type, from, to, term, logTerm, index, entries, commit, reject, rejectHint, snapshot, newSeq, transfer);
  }

  Message withTransfer(boolean newTransfer) {
    return new Message(type, from, to, term, logTerm, index, entries, commit, reject, rejectHint, snapshot, seq, newTransfer);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder().append(type).append(' ').append(from).append("->").append(to)
        .append(" t").append(term);
    if (logTerm != 0 || index != 0) s.append(" log=").append(index).append('@').append(logTerm);
    if (!entries.isEmpty()) s.append(" ents=").append(entries.get(0).index()).append("..").append(entries.get(entries.size() - 1).index());
    if (commit != 0) s.append(" commit=").append(commit);
    if (reject) s.append(" REJECT hint=").append(rejectHint);
    if (snapshot != null) s.append(" snap=").append(snapshot.index()).append('@').append(snapshot.term());
    if (seq != 0) s.append(" seq=").append(seq);
    if (transfer) s.append(" transfer");
    return s.toString();
  }
}
