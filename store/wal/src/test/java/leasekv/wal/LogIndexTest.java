package leasekv.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The WAL's in-memory index: terms, positions and lengths of the live entries, across growth, drops and truncation. */
class LogIndexTest {
  private static void appendRange(LogIndex index, long from, long to) {
    for (long i = from; i <= to; i++) index.append(i, i / 100 + 1, LogIndex.position(i % 7, i * 3), (int) (i % 50));
  }

  private static void assertHolds(LogIndex index, long from, long to) {
    assertEquals(from, index.firstIndex());
    assertEquals(to, index.lastIndex());
    for (long i = from; i <= to; i++) {
      assertEquals(i / 100 + 1, index.term(i), "term of " + i);
      assertEquals(LogIndex.position(i % 7, i * 3), index.position(i), "position of " + i);
      assertEquals(i % 50, index.dataLength(i), "length of " + i);
    }
  }

  @Test
  void growsPastItsFirstArraysKeepingEveryEntry() {
    LogIndex index = new LogIndex(1);
    appendRange(index, 1, 5000);
    assertHolds(index, 1, 5000);
  }

  @Test
  void aMostlyDroppedPrefixIsReusedAndTheEntriesSurviveTheShift() {
    LogIndex index = new LogIndex(1);
    appendRange(index, 1, 1024);
    index.dropThrough(1000); // head at 1000 of 1024: the next append shifts down instead of growing
    appendRange(index, 1025, 1100);
    assertHolds(index, 1001, 1100);
    index.dropThrough(600); // below the first index: nothing happens
    assertHolds(index, 1001, 1100);
  }

  @Test
  void aHalfDroppedPrefixGrowsInstead() {
    LogIndex index = new LogIndex(1);
    appendRange(index, 1, 1024);
    index.dropThrough(512); // head exactly at half: grow
    appendRange(index, 1025, 1030);
    assertHolds(index, 513, 1030);
  }

  @Test
  void droppingThroughTheEndLeavesAnEmptyIndexThatContinues() {
    LogIndex index = new LogIndex(1);
    appendRange(index, 1, 10);
    index.dropThrough(10);
    assertEquals(11, index.firstIndex());
    assertEquals(10, index.lastIndex());
    appendRange(index, 11, 12);
    assertHolds(index, 11, 12);
    index.dropThrough(11);
    assertHolds(index, 12, 12);
  }

  @Test
  void truncationForgetsTheIndexAndLaterOnly() {
    LogIndex index = new LogIndex(5);
    appendRange(index, 5, 20);
    index.truncateFrom(25); // past the end: nothing
    assertHolds(index, 5, 20);
    index.truncateFrom(20);
    assertHolds(index, 5, 19);
    index.truncateFrom(6);
    assertHolds(index, 5, 5);
    index.truncateFrom(5);
    assertEquals(4, index.lastIndex());
    index.truncateFrom(1);
    assertEquals(4, index.lastIndex());
  }

  @Test
  void appendsMustFollowTheLastIndexAndReadsMustBeInside() {
    LogIndex index = new LogIndex(5);
    assertThrows(IllegalStateException.class, () -> index.append(6, 1, 0, 0));
    appendRange(index, 5, 6);
    assertThrows(IllegalStateException.class, () -> index.append(6, 1, 0, 0));
    assertTrue(index.contains(5));
    assertFalse(index.contains(4));
    assertFalse(index.contains(7));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> index.term(7));
    assertEquals("index 7 not in [5, 6]", e.getMessage());
  }

  @Test
  void aPositionPacksTheSegmentAboveTheOffset() {
    long p = LogIndex.position(3, 0xFFFF_FFF0L);
    assertEquals(3, LogIndex.segmentOf(p));
    assertEquals(0xFFFF_FFF0L, LogIndex.offsetOf(p));
  }
}
