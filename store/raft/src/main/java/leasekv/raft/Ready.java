package leasekv.raft;

import java.util.List;

/**
 * A batch of work the node must do for the core, in this order:
 *
 * <ol>
 *   <li>publish {@link #leaseState()} for the reader threads (before any message leaves: a transfer's
 *       TimeoutNow must never overtake the lease being dropped);
 *   <li>persist: install {@link #snapshot()} if non-null (the checkpoint received with the
 *       INSTALL_SNAPSHOT message; the log is then empty after it), append {@link #entries()}
 *       (replacing any persisted entries at or after the first one's index), write {@link
 *       #hardState()} if non-null; then, if {@link #mustSync()}, make all of it durable with ONE fsync;
 *   <li>send {@link #messages()} (each on its {@link Message#lane()}); for an INSTALL_SNAPSHOT, stream
 *       the checkpoint of {@code message.snapshot()} first and report the outcome with {@link
 *       RaftCore#reportSnapshot};
 *   <li>apply {@link #committedEntries()} in order (NOOP and CONFIG entries only advance the applied
 *       index) and answer {@link #readStates()} once applied reaches their read index; fail the
 *       requests in {@link #abortedReadRequests()};
 *   <li>call {@link RaftCore#advance(Ready)}.
 * </ol>
 *
 * @param hardState the new term/vote/commit to persist, or null if unchanged
 * @param snapshot a snapshot to install (synced), or null
 */
public record Ready(
    LeaseState leaseState,
    HardState hardState,
    List<Entry> entries,
    SnapshotMeta snapshot,
    List<Entry> committedEntries,
    List<Message> messages,
    List<ReadState> readStates,
    List<Long> abortedReadRequests,
    boolean mustSync) {

  public Ready {
    entries = List.copyOf(entries);
    committedEntries = List.copyOf(committedEntries);
    messages = List.copyOf(messages);
    readStates = List.copyOf(readStates);
    abortedReadRequests = List.copyOf(abortedReadRequests);
  }

  /** True if nothing needs persisting, sending or applying (only the lease state may have changed). */
  public boolean isEmpty() {
    return hardState == null && entries.isEmpty() && snapshot == null && committedEntries.isEmpty()
        && messages.isEmpty() && readStates.isEmpty() && abortedReadRequests.isEmpty();
  }
}
