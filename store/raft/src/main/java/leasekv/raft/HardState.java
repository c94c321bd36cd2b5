package leasekv.raft;

/**
 * The state Raft must persist (and fsync) before it answers a vote or acknowledges entries.
 *
 * @param term the current term
 * @param votedFor the node voted for in {@code term}, or null
 * @param commit the highest index known committed; persisted so restart can replay to it, but a
 *     change of commit alone does not require an fsync (it can be re-learned from the leader)
 */
public record HardState(long term, String votedFor, long commit) {
  public static final HardState EMPTY = new HardState(0, null, 0);

  public HardState {
    if (term < 0 || commit < 0) throw new IllegalArgumentException("negative term or commit");
  }

  /** True when going from {@code previous} to this state needs an fsync before any message is sent. */
  public boolean mustSyncComparedTo(HardState previous) {
    return term != previous.term || !java.util.Objects.equals(votedFor, previous.votedFor);
  }
}
