package leasekv.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The core's view of the log: the persisted part in {@link LogStorage} plus the unstable tail (and
 * possibly an incoming snapshot) that the node has not persisted yet. Also tracks commit and applied
 * indexes and, through {@link ConfigHistory}, the membership the log defines.
 */
final class RaftLog {
  static final long COMPACTED = -1;

  private final LogStorage storage;
  private final ConfigHistory configs;
  private final ArrayList<Entry> unstable = new ArrayList<>();
  /** Index of unstable.get(0); entries below it are read from storage. */
  private long unstableOffset;
  /** A snapshot received from the leader but not yet installed by the node, or null. */
  private SnapshotMeta unstableSnapshot;
  private long committed;
  private long applied;

  RaftLog(LogStorage storage) {
    this.storage = storage;
    this.configs = new ConfigHistory(storage.snapshot());
    this.unstableOffset = storage.lastIndex() + 1;
    this.committed = storage.firstIndex() - 1;
    this.applied = storage.firstIndex() - 1;
    loadConfigsFromStorage(storage);
  }

  private void loadConfigsFromStorage(LogStorage s) {
    long lo = s.firstIndex();
    long hi = s.lastIndex() + 1;
    while (lo < hi) {
      List<Entry> batch = s.entries(lo, hi, 4L << 20);
      for (Entry e : batch) configs.onAppend(e);
      lo += batch.size();
    }
  }

  long firstIndex() {
    return unstableSnapshot != null ? unstableSnapshot.index() + 1 : storage.firstIndex();
  }

  long lastIndex() {
    if (!unstable.isEmpty()) return unstableOffset + unstable.size() - 1;
    if (unstableSnapshot != null) return unstableSnapshot.index();
    return unstableOffset - 1;
  }

  long lastTerm() {
    return term(lastIndex());
  }

  /** The term of entry {@code index}; {@link #COMPACTED} if compacted away, 0 if past the end (or 0). */
  long term(long index) {
    if (index == 0) return 0;
    if (index > lastIndex()) return 0;
    if (unstableSnapshot != null) {
      if (index == unstableSnapshot.index()) return unstableSnapshot.term();
      if (index < unstableSnapshot.index()) return COMPACTED;
    }
    if (index >= unstableOffset) return unstable.get((int) (index - unstableOffset)).term();
    long dummy = storage.firstIndex() - 1;
    if (index < dummy) return COMPACTED;
    if (index == dummy) return storage.snapshot().term();
    return storage.term(index);
  }

  boolean matchTerm(long index, long term) {
    long t = term(index);
    return t != COMPACTED && t == term && (index <= lastIndex());
  }

  boolean isUpToDate(long candidateLastIndex, long candidateLastTerm) {
    long myTerm = lastTerm();
    return candidateLastTerm > myTerm || (candidateLastTerm == myTerm && candidateLastIndex >= lastIndex());
  }

  /** Entries from {@code lo} to the end, at most {@code maxBytes} (but at least one). Caller checks lo >= firstIndex. */
  List<Entry> entries(long lo, long maxBytes) {
    return entries(lo, lastIndex() + 1, maxBytes);
  }

  List<Entry> entries(long lo, long hi, long maxBytes) {
    if (lo >= hi) return List.of();
    if (lo < firstIndex()) throw new IllegalStateException("entries from " + lo + " are compacted (first index " + firstIndex() + ")");
    List<Entry> out = new ArrayList<>();
    long bytes = 0;
    if (lo < unstableOffset) {
      long storageHi = Math.min(hi, unstableOffset);
      List<Entry> stored = storage.entries(lo, storageHi, maxBytes);
      for (Entry e : stored) bytes += e.sizeBytes();
      out.addAll(stored);
      if (lo + stored.size() < storageHi) return out; // byte limit reached inside storage
    }
    for (long i = Math.max(lo, unstableOffset); i < hi; i++) {
      Entry e = unstable.get((int) (i - unstableOffset));
      if (!out.isEmpty() && bytes + e.sizeBytes() > maxBytes) break;
      out.add(e);
      bytes += e.sizeBytes();
    }
    return out;
  }

  /**
   * The follower side of AppendEntries: if the entry before {@code ents} matches, appends what is new
   * (truncating a conflicting suffix), advances commit and returns the last index known to match the
   * leader; returns -1 if the previous entry does not match.
   */
  long maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<Entry> ents) {
    if (!matchTerm(prevIndex, prevTerm)) return -1;
    long lastNew = prevIndex + ents.size();
    long conflict = findConflict(ents);
    if (conflict != 0) {
      if (conflict <= committed) {
        throw new IllegalStateException("entry " + conflict + " conflicts with a committed entry (commit " + committed + ")");
      }
      append(ents.subList((int) (conflict - (prevIndex + 1)), ents.size()));
    }
    commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /** Index of the first entry whose term differs from (or is beyond) our log, or 0 if all match. */
  private long findConflict(List<Entry> ents) {
    for (Entry e : ents) {
      if (!matchTerm(e.index(), e.term())) return e.index();
    }
    return 0;
  }

  /** Largest index at or below {@code index} whose term is at most {@code term} (a fast-backtrack hint). */
  long findConflictByTerm(long index, long term) {
    long first = firstIndex() - 1;
    for (long i = Math.min(index, lastIndex()); i > first; i--) {
      long t = term(i);
      if (t <= term) return i;
    }
    return first;
  }

  /** Appends entries, replacing any existing entries at or after the first one's index. */
  void append(List<Entry> ents) {
    if (ents.isEmpty()) return;
    long after = ents.get(0).index();
    if (after <= committed) throw new IllegalStateException("append at " + after + " would truncate committed entries (commit " + committed + ")");
    if (after > lastIndex() + 1) throw new IllegalStateException("append at " + after + " leaves a gap after " + lastIndex());
    if (after == unstableOffset + unstable.size()) {
      unstable.addAll(ents);
    } else if (after <= unstableOffset) {
      unstable.clear();
      unstable.addAll(ents);
      unstableOffset = after;
    } else {
      unstable.subList((int) (after - unstableOffset), unstable.size()).clear();
      unstable.addAll(ents);
    }
    configs.truncateFrom(after);
    for (Entry e : ents) configs.onAppend(e);
  }

  void commitTo(long index) {
    if (index <= committed) return;
    if (index > lastIndex()) throw new IllegalStateException("commit " + index + " is past the last index " + lastIndex());
    committed = index;
  }

  /** The last index whose entry is durable (everything below the unstable tail). */
  long persistedLastIndex() {
    return unstableSnapshot != null ? unstableSnapshot.index() : unstableOffset - 1;
  }

  boolean hasCommittedEntriesToApply() {
    return unstableSnapshot == null && applied < Math.min(committed, persistedLastIndex());
  }

  List<Entry> committedEntriesToApply(long maxBytes) {
    if (unstableSnapshot != null) return List.of();
    long hi = Math.min(committed, persistedLastIndex());
    return entries(applied + 1, hi + 1, maxBytes);
  }

  List<Entry> unstableEntries() {
    return List.copyOf(unstable);
  }

  SnapshotMeta unstableSnapshot() {
    return unstableSnapshot;
  }

  boolean hasUnstable() {
    return !unstable.isEmpty() || unstableSnapshot != null;
  }

  /** The node persisted entries up to {@code index}; drop them from the unstable tail if still ours. */
  void stableTo(long index, long term) {
    if (index < unstableOffset || index > lastIndex()) return;
    if (unstable.get((int) (index - unstableOffset)).term() != term) return;
    unstable.subList(0, (int) (index - unstableOffset + 1)).clear();
    unstableOffset = index + 1;
  }

  void stableSnapshotTo(long index) {
    if (unstableSnapshot != null && unstableSnapshot.index() == index) unstableSnapshot = null;
  }

  /** Replaces the log with a snapshot received from the leader (the node installs it via Ready). */
  void restore(SnapshotMeta snapshot) {
    unstable.clear();
    unstableOffset = snapshot.index() + 1;
    unstableSnapshot = snapshot;
    committed = snapshot.index();
    configs.reset(snapshot);
  }

  void appliedTo(long index) {
    if (index > committed) throw new IllegalStateException("applied " + index + " is past commit " + committed);
    if (index > applied) applied = index;
  }

  /** Restart: the state machine already applied up to {@code index}, which is also committed. */
  void initApplied(long index) {
    applied = index;
    if (index > committed) committed = index;
  }

  void onCompacted(long index) {
    configs.compactTo(index);
  }

  long committed() { return committed; }
  long applied() { return applied; }
  ConfState conf() { return configs.latest(); }
  long confIndex() { return configs.latestIndex(); }
  LogStorage storage() { return storage; }
}
