package leasekv.raft;

import java.util.Map;
import java.util.TreeMap;

/**
 * The membership as the log defines it: the snapshot's configuration, then every CONFIG entry in the
 * log. A core always uses the latest configuration in its log, committed or not (Raft dissertation
 * §4.1), so an entry that is truncated away also takes its configuration with it.
 */
final class ConfigHistory {
  private ConfState base;
  private long baseIndex;
  private final TreeMap<Long, ConfState> changes = new TreeMap<>();

  ConfigHistory(SnapshotMeta snapshot) {
    reset(snapshot);
  }

  void reset(SnapshotMeta snapshot) {
    base = snapshot.conf();
    baseIndex = snapshot.index();
    changes.clear();
  }

  void onAppend(Entry e) {
    if (e.type() == EntryType.CONFIG) {
      try {
        changes.put(e.index(), ConfState.decode(e.data()));
      } catch (IllegalArgumentException bad) {
        throw new IllegalStateException("CONFIG entry " + e.index() + "@" + e.term() + " does not decode: " + bad.getMessage(), bad);
      }
    }
  }

  /** Forgets the configurations of entries at or after {@code index} (they were truncated). */
  void truncateFrom(long index) {
    changes.tailMap(index, true).clear();
  }

  ConfState latest() {
    return changes.isEmpty() ? base : changes.lastEntry().getValue();
  }

  /** Index of the entry that introduced {@link #latest()} (the snapshot index if none in the log). */
  long latestIndex() {
    return changes.isEmpty() ? baseIndex : changes.lastKey();
  }

  /** Folds configurations at or below {@code index} into the base (the log was compacted to it). */
  void compactTo(long index) {
    if (index <= baseIndex) return;
    Map.Entry<Long, ConfState> atOrBelow = changes.floorEntry(index);
    if (atOrBelow != null) base = atOrBelow.getValue();
    baseIndex = index;
    changes.headMap(index, true).clear();
  }
}
