package leasekv.wal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.TreeMap;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;

/**
 * Rebuilds the log state from the records of all segments, in write order, and rejects any
 * sequence of records that a correct writer cannot have produced (gaps, a missing segment, a
 * compaction point beyond the log) as corruption naming the record's file and offset.
 *
 * <p>Replay rules: an entry at index i discards the entries at i and above written before it (that
 * is how a conflicting suffix is overwritten); a compaction record drops entries up to its index; a
 * reset segment start (snapshot install) discards everything before it. Compaction may have deleted
 * the oldest segments, so the first remaining segment can start after index p with no entries for
 * [1, p]: that is fine only if a compaction record later covers p.
 */
final class LogReplay implements SegmentScanner.Visitor {
  final LogIndex index = new LogIndex(1);
  final TreeMap<Long, ConfState> configEntries = new TreeMap<>();
  final EntryCache cache;
  SnapshotMeta compaction = SnapshotMeta.EMPTY;
  HardState hardState = HardState.EMPTY;

  private Path file;
  private long seq;
  private boolean firstSegment = true;
  private Path firstFile;

  LogReplay(EntryCache cache) {
    this.cache = cache;
  }

  void beginSegment(Path file, long seq) {
    this.file = file;
    this.seq = seq;
    if (firstFile == null) firstFile = file;
  }

  @Override
  public void record(long offset, RecordType type, ByteBuffer payload) throws WalCorruptionException {
    try {
      switch (type) {
        case SEGMENT_START -> segmentStart(offset, RecordCodec.decodeSegmentStart(payload));
        case ENTRY -> entry(offset, RecordCodec.decodeEntry(payload));
        case HARD_STATE -> hardState = RecordCodec.decodeHardState(payload);
        case COMPACTION -> compactionPoint(offset, RecordCodec.decodeMeta(payload));
      }
    } catch (RuntimeException e) { // an intact record that does not decode: a writer bug or a forged file
      throw new WalCorruptionException(file, offset, "undecodable " + type + " record: " + e);
    }
  }

  private void segmentStart(long offset, SegmentStart s) throws WalCorruptionException {
    if (offset != SegmentHeader.BYTES) throw new WalCorruptionException(file, offset, "segment start record inside a segment");
    hardState = s.hardState();
    if (firstSegment || s.reset()) {
      firstSegment = false;
      compaction = s.compaction();
      index.reset(s.prevIndex() + 1);
      configEntries.clear();
      cache.clear();
      return;
    }
    if (index.lastIndex() != s.prevIndex()) {
      throw new WalCorruptionException(file, offset, "segment starts after index " + s.prevIndex()
          + " but the segments before it end at index " + index.lastIndex() + " (a segment is missing or cut short)");
    }
    if (index.contains(s.prevIndex()) && index.term(s.prevIndex()) != s.prevTerm()) {
      throw new WalCorruptionException(file, offset, "segment starts after index " + s.prevIndex() + " at term "
          + s.prevTerm() + " but that entry has term " + index.term(s.prevIndex()));
    }
  }

  private void entry(long offset, Entry e) throws WalCorruptionException {
    long i = e.index();
    if (i <= compaction.index()) {
      throw new WalCorruptionException(file, offset, "entry " + i + " at or below the compaction point " + compaction.index());
    }
    if (i > index.lastIndex() + 1) {
      throw new WalCorruptionException(file, offset, "gap: entry " + i + " follows the last index " + index.lastIndex());
    }
    if (i < index.firstIndex()) {
      index.reset(i); // overwrites entries of segments compaction deleted; a later compaction must cover i-1
    } else {
      index.truncateFrom(i);
    }
    configEntries.tailMap(i, true).clear();
    if (index.contains(i - 1) && index.term(i - 1) > e.term()) {
      throw new WalCorruptionException(file, offset, "entry " + i + " has term " + e.term()
          + ", lower than the previous entry's " + index.term(i - 1));
    }
    index.append(i, e.term(), LogIndex.position(seq, offset), e.data().length);
    if (e.type() == EntryType.CONFIG) configEntries.put(i, ConfState.decode(e.data()));
    cache.put(e);
  }

  private void compactionPoint(long offset, SnapshotMeta m) throws WalCorruptionException {
    if (m.index() <= compaction.index()) return;
    if (m.index() > index.lastIndex()) {
      throw new WalCorruptionException(file, offset, "compaction point " + m.index() + " beyond the last index " + index.lastIndex());
    }
    if (index.contains(m.index()) && index.term(m.index()) != m.term()) {
      throw new WalCorruptionException(file, offset, "compaction point " + m.index() + " has term " + m.term()
          + " but the entry has term " + index.term(m.index()));
    }
    compaction = m;
    index.dropThrough(m.index());
    configEntries.headMap(m.index(), true).clear();
    cache.dropThrough(m.index());
  }

  /** Checks that every entry after the compaction point was found. */
  void finish() throws WalCorruptionException {
    if (index.firstIndex() > compaction.index() + 1) {
      throw new WalCorruptionException(firstFile, SegmentHeader.BYTES, "the log resumes after index "
          + (index.firstIndex() - 1) + " but is compacted only through " + compaction.index()
          + ": entries in between are missing (a segment was deleted)");
    }
    index.dropThrough(compaction.index());
  }
}
