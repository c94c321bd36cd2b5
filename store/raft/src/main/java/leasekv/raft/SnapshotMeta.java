package leasekv.raft;

/**
 * Describes a state-machine snapshot: it holds the effect of every entry up to and including
 * {@code index}, and the membership as of that index.
 */
public record SnapshotMeta(long index, long term, ConfState conf) {
  public static final SnapshotMeta EMPTY = new SnapshotMeta(0, 0, new ConfState(java.util.List.of()));

  public SnapshotMeta {
    if (index < 0 || term < 0) throw new IllegalArgumentException("negative snapshot index or term");
    java.util.Objects.requireNonNull(conf, "conf");
  }

  public boolean isEmpty() {
    return index == 0;
  }
}
