package leasekv.raft;

/**
 * Where a proposal landed in the log. The proposal is committed exactly when the entry applied at
 * {@code index} has this {@code term}; if a different term is applied at that index, the proposal
 * was overwritten and will never be applied.
 */
public record EntryId(long term, long index) {
  public EntryId {
    if (term < 1 || index < 1) throw new IllegalArgumentException("bad entry id " + term + "/" + index);
  }
}
