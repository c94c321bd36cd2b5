package leasekv.wal;

import static leasekv.wal.WalTestSupport.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;
import org.junit.jupiter.api.Test;

/** Replay of a WAL's records at open: what it rebuilds and the inconsistencies it refuses, record by record. */
class LogReplayTest {
  private static final int SALT = 7;
  private static final Path FIRST = Path.of("segment-1.wal");
  private static final Path SECOND = Path.of("segment-2.wal");
  private static final ConfState THREE = new ConfState(List.of("n1", "n2", "n3"));
  private static final ConfState FOUR = THREE.withVoter("n4");

  private final LogReplay replay = new LogReplay(new EntryCache(1 << 20));
  private long offset = SegmentHeader.BYTES;

  private static ByteBuffer payload(byte[] record) {
    ByteBuffer buf = ByteBuffer.wrap(record);
    return RecordCodec.payload(buf, 0, RecordCodec.readValid(buf, 0, record.length, SALT));
  }

  private void start(Path file, long seq, boolean reset, long prevIndex, long prevTerm, SnapshotMeta compaction)
      throws WalCorruptionException {
    replay.beginSegment(file, seq);
    offset = SegmentHeader.BYTES;
    replay.record(offset, RecordType.SEGMENT_START, payload(RecordCodec.encodeSegmentStart(
        new SegmentStart(reset, prevIndex, prevTerm, compaction, new HardState(1, null, 0)), SALT)));
    offset += 100;
  }

  private void entries(Entry... es) throws WalCorruptionException {
    for (Entry e : es) {
      replay.record(offset, RecordType.ENTRY, payload(RecordCodec.encodeEntry(e, SALT, 0)));
      offset += 100;
    }
  }

  private void compact(long index, long term, ConfState conf) throws WalCorruptionException {
    replay.record(offset, RecordType.COMPACTION, payload(RecordCodec.encodeCompaction(new SnapshotMeta(index, term, conf), SALT, 0)));
    offset += 100;
  }

  private static String reason(WalCorruptionException e) {
    return e.getMessage().substring(e.getMessage().indexOf(": ", e.getMessage().indexOf("offset")) + 2);
  }

  @Test
  void entriesOverwriteTheirSuffixAndConfigEntriesAndCacheFollow() throws Exception {
    start(FIRST, 1, false, 0, 0, SnapshotMeta.EMPTY);
    entries(entry(1, 1), new Entry(1, 2, EntryType.CONFIG, FOUR.encode()), entry(1, 3));
    entries(entry(2, 2)); // a new leader overwrote 2 and 3
    replay.finish();
    assertEquals(2, replay.index.lastIndex());
    assertEquals(2, replay.index.term(2));
    assertTrue(replay.configEntries.isEmpty(), "the CONFIG entry at 2 was overwritten");
    assertEquals(entry(2, 2), replay.cache.get(2));
    assertEquals(LogIndex.position(1, SegmentHeader.BYTES + 400), replay.index.position(2));
  }

  @Test
  void entriesAtOrBelowTheCompactionPointAGapOrALowerTermAreCorruption() throws Exception {
    start(FIRST, 1, false, 5, 2, new SnapshotMeta(5, 2, THREE));
    WalCorruptionException below = assertThrows(WalCorruptionException.class, () -> entries(entry(2, 5)));
    assertEquals("entry 5 at or below the compaction point 5", reason(below));
    entries(entry(2, 6));
    WalCorruptionException gap = assertThrows(WalCorruptionException.class, () -> entries(entry(2, 8)));
    assertEquals("gap: entry 8 follows the last index 6", reason(gap));
    entries(entry(3, 7));
    WalCorruptionException lower = assertThrows(WalCorruptionException.class, () -> entries(entry(2, 8)));
    assertEquals("entry 8 has term 2, lower than the previous entry's 3", reason(lower));
    assertTrue(lower.getMessage().contains(FIRST.toString()), "names the file");
    entries(entry(3, 8)); // the same term is fine
    assertEquals(8, replay.index.lastIndex());
  }

  @Test
  void aCompactionRecordDropsEverythingThroughItsIndex() throws Exception {
    start(FIRST, 1, false, 0, 0, SnapshotMeta.EMPTY);
    entries(entry(1, 1), new Entry(1, 2, EntryType.CONFIG, FOUR.encode()), entry(1, 3), entry(1, 4));
    compact(3, 1, FOUR);
    assertEquals(4, replay.index.firstIndex());
    assertTrue(replay.configEntries.isEmpty(), "the CONFIG entry at 2 is in the compaction point now");
    assertNull(replay.cache.get(3));
    assertNotNull(replay.cache.get(4));
    compact(2, 1, THREE); // older than the point already replayed: ignored
    assertEquals(new SnapshotMeta(3, 1, FOUR), replay.compaction);
    WalCorruptionException beyond = assertThrows(WalCorruptionException.class, () -> compact(5, 1, FOUR));
    assertEquals("compaction point 5 beyond the last index 4", reason(beyond));
    WalCorruptionException term = assertThrows(WalCorruptionException.class, () -> compact(4, 2, FOUR));
    assertEquals("compaction point 4 has term 2 but the entry has term 1", reason(term));
    compact(4, 1, FOUR); // at the last index exactly
    assertEquals(5, replay.index.firstIndex());
  }

  @Test
  void aLaterSegmentMustContinueWhereTheEarlierOnesEnd() throws Exception {
    start(FIRST, 1, false, 0, 0, SnapshotMeta.EMPTY);
    entries(entry(1, 1), entry(2, 2));
    WalCorruptionException inside = assertThrows(WalCorruptionException.class, () -> replay.record(500,
        RecordType.SEGMENT_START, payload(RecordCodec.encodeSegmentStart(new SegmentStart(false, 2, 2, SnapshotMeta.EMPTY,
            HardState.EMPTY), SALT))));
    assertEquals("segment start record inside a segment", reason(inside));
    WalCorruptionException cut = assertThrows(WalCorruptionException.class,
        () -> start(SECOND, 2, false, 3, 2, SnapshotMeta.EMPTY));
    assertTrue(reason(cut).startsWith("segment starts after index 3 but the segments before it end at index 2"), reason(cut));
    WalCorruptionException term = assertThrows(WalCorruptionException.class,
        () -> start(SECOND, 2, false, 2, 1, SnapshotMeta.EMPTY));
    assertEquals("segment starts after index 2 at term 1 but that entry has term 2", reason(term));
    start(SECOND, 2, false, 2, 2, SnapshotMeta.EMPTY);
    entries(entry(2, 3));
    replay.finish();
    assertEquals(3, replay.index.lastIndex());
  }

  @Test
  void aResetSegmentReplacesEverythingBeforeIt() throws Exception {
    start(FIRST, 1, false, 0, 0, SnapshotMeta.EMPTY);
    entries(entry(1, 1), new Entry(1, 2, EntryType.CONFIG, FOUR.encode()));
    start(SECOND, 2, true, 50, 3, new SnapshotMeta(50, 3, THREE));
    assertEquals(51, replay.index.firstIndex());
    assertEquals(50, replay.index.lastIndex());
    assertTrue(replay.configEntries.isEmpty());
    assertNull(replay.cache.get(1));
    assertEquals(new SnapshotMeta(50, 3, THREE), replay.compaction);
  }

  @Test
  void aLogResumingPastItsCompactionPointIsMissingSegments() throws Exception {
    start(FIRST, 4, false, 10, 2, new SnapshotMeta(8, 2, THREE)); // the oldest remaining segment starts after 10
    start(SECOND, 5, false, 10, 2, SnapshotMeta.EMPTY);
    WalCorruptionException e = assertThrows(WalCorruptionException.class, replay::finish);
    assertTrue(e.getMessage().contains(FIRST.toString()), "names the first file");
    assertEquals("the log resumes after index 10 but is compacted only through 8: entries in between are missing "
        + "(a segment was deleted)", reason(e));
  }

  @Test
  void overwritingBelowTheFirstRemainingEntryRestartsTheIndexThereAndFinishDropsTheCompacted() throws Exception {
    start(FIRST, 3, false, 10, 2, SnapshotMeta.EMPTY); // the first remaining segment starts after 10
    entries(entry(2, 11), entry(2, 12));
    entries(entry(3, 9)); // a later leader overwrote from 9 (segments holding 1..10 were deleted)
    assertEquals(9, replay.index.firstIndex());
    assertEquals(9, replay.index.lastIndex());
    compact(9, 3, THREE);
    replay.finish();
    assertEquals(10, replay.index.firstIndex());
  }
}
