package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import leasekv.raft.testing.MemoryLogStorage;
import org.junit.jupiter.api.Test;

/**
 * The core's log: the persisted entries in storage plus the unstable tail, the commit and applied
 * indexes, and the membership the log defines. Entries are 24 bytes each (no data) unless noted.
 */
class RaftLogTest {
  private static final ConfState THREE = new ConfState(List.of("n1", "n2", "n3"));
  private static final ConfState FOUR = THREE.withVoter("n4");
  private static final int ENTRY_BYTES = 24;

  /** Storage with a snapshot at 10 (term 2) and entries 11..15 of terms 2, 2, 3, 3, 4. */
  private static MemoryLogStorage storage() {
    MemoryLogStorage s = new MemoryLogStorage();
    s.installSnapshot(new SnapshotMeta(10, 2, THREE));
    s.append(List.of(Entry.noop(2, 11), Entry.noop(2, 12), Entry.noop(3, 13), Entry.noop(3, 14), Entry.noop(4, 15)));
    return s;
  }

  private static List<Entry> noops(long term, long from, long to) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) out.add(Entry.noop(term, i));
    return out;
  }

  private static List<Long> indexes(List<Entry> entries) {
    return entries.stream().map(Entry::index).toList();
  }

  @Test
  void aLogOverStorageStartsAtItsSnapshotWithNothingCommittedBeyondIt() {
    RaftLog log = new RaftLog(storage());
    assertEquals(11, log.firstIndex());
    assertEquals(15, log.lastIndex());
    assertEquals(4, log.lastTerm());
    assertEquals(10, log.committed());
    assertEquals(10, log.applied());
    assertEquals(15, log.persistedLastIndex());
    assertFalse(log.hasUnstable());
    assertFalse(log.hasCommittedEntriesToApply());
    assertEquals(THREE, log.conf());
    assertEquals(10, log.confIndex());
  }

  @Test
  void termsComeFromStorageTheSnapshotPointOrTheUnstableTail() {
    RaftLog log = new RaftLog(storage());
    log.append(noops(5, 16, 17));
    assertEquals(0, log.term(0));
    assertEquals(RaftLog.COMPACTED, log.term(9));
    assertEquals(2, log.term(10), "the snapshot point");
    assertEquals(3, log.term(13));
    assertEquals(4, log.term(15));
    assertEquals(5, log.term(16));
    assertEquals(5, log.term(17));
    assertEquals(0, log.term(18), "past the end");
    assertTrue(log.matchTerm(13, 3));
    assertFalse(log.matchTerm(13, 2));
    assertFalse(log.matchTerm(9, RaftLog.COMPACTED));
    assertFalse(log.matchTerm(18, 0));
  }

  @Test
  void upToDateMeansAHigherLastTermOrTheSameTermAndNoShorter() {
    RaftLog log = new RaftLog(storage()); // last entry 15@4
    assertTrue(log.isUpToDate(1, 5));
    assertTrue(log.isUpToDate(15, 4));
    assertTrue(log.isUpToDate(16, 4));
    assertFalse(log.isUpToDate(14, 4));
    assertFalse(log.isUpToDate(100, 3));
  }

  @Test
  void entriesSpanStorageAndTheUnstableTailWithinTheByteLimitButAtLeastOne() {
    RaftLog log = new RaftLog(storage());
    log.append(noops(5, 16, 18));
    assertEquals(List.of(14L, 15L, 16L, 17L), indexes(log.entries(14, 18, 1 << 20)));
    assertEquals(List.of(13L, 14L, 15L, 16L, 17L, 18L), indexes(log.entries(13, 1 << 20)));
    assertEquals(List.of(), log.entries(14, 14, 1 << 20));
    assertEquals(List.of(16L, 17L), indexes(log.entries(16, 19, 2 * ENTRY_BYTES)), "exactly two fit");
    assertEquals(List.of(16L), indexes(log.entries(16, 19, 2 * ENTRY_BYTES - 1)));
    assertEquals(List.of(16L), indexes(log.entries(16, 19, 1)), "at least one");
    assertEquals(List.of(14L, 15L), indexes(log.entries(14, 19, 2 * ENTRY_BYTES)), "the limit reached in storage");
    assertEquals(List.of(15L, 16L), indexes(log.entries(15, 19, 2 * ENTRY_BYTES)), "storage's bytes count against the tail");
    assertEquals(List.of(15L), indexes(log.entries(15, 19, 2 * ENTRY_BYTES - 1)));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> log.entries(10, 12, 100));
    assertEquals("entries from 10 are compacted (first index 11)", e.getMessage());
  }

  @Test
  void appendExtendsReplacesOrTruncatesTheTail() {
    RaftLog log = new RaftLog(storage());
    log.append(List.of());
    assertFalse(log.hasUnstable());
    log.append(noops(5, 16, 18)); // at the end
    assertEquals(18, log.lastIndex());
    log.append(noops(6, 19, 19));
    assertEquals(List.of(16L, 17L, 18L, 19L), indexes(log.unstableEntries()));
    log.append(noops(7, 18, 18)); // inside the tail: 18 and 19 go
    assertEquals(18, log.lastIndex());
    assertEquals(7, log.term(18));
    assertEquals(List.of(16L, 17L, 18L), indexes(log.unstableEntries()));
    log.append(noops(8, 16, 16)); // at the tail's start: all of it goes
    assertEquals(List.of(16L), indexes(log.unstableEntries()));
    assertEquals(8, log.term(16));
    log.append(noops(9, 14, 15)); // into storage's part: the tail restarts at 14
    assertEquals(List.of(14L, 15L), indexes(log.unstableEntries()));
    assertEquals(15, log.lastIndex());
    assertEquals(9, log.term(14));
    assertEquals(3, log.term(13), "storage below the new tail is still read");
    assertEquals(13, log.persistedLastIndex());
  }

  @Test
  void appendRefusesToTruncateCommittedEntriesOrToLeaveAGap() {
    RaftLog log = new RaftLog(storage());
    log.commitTo(13);
    IllegalStateException truncate = assertThrows(IllegalStateException.class, () -> log.append(noops(5, 13, 13)));
    assertEquals("append at 13 would truncate committed entries (commit 13)", truncate.getMessage());
    log.append(noops(5, 14, 14)); // just above the commit index: allowed
    IllegalStateException gap = assertThrows(IllegalStateException.class, () -> log.append(noops(5, 16, 16)));
    assertEquals("append at 16 leaves a gap after 14", gap.getMessage());
  }

  @Test
  void theMembershipFollowsConfigEntriesThroughTruncationAndCompaction() {
    RaftLog log = new RaftLog(storage());
    log.append(List.of(new Entry(5, 16, EntryType.CONFIG, FOUR.encode()), Entry.noop(5, 17)));
    assertEquals(FOUR, log.conf());
    assertEquals(16, log.confIndex());
    log.append(noops(6, 16, 16));
    assertEquals(THREE, log.conf(), "truncated away with its entry");
    log.append(List.of(Entry.noop(6, 17), new Entry(6, 18, EntryType.CONFIG, FOUR.encode())));
    log.stableTo(18, 6);
    log.onCompacted(18);
    assertEquals(FOUR, log.conf());
    assertEquals(18, log.confIndex(), "folded into the base at the compaction point");
    MemoryLogStorage withConfig = storage();
    withConfig.append(List.of(new Entry(4, 16, EntryType.CONFIG, FOUR.encode())));
    assertEquals(FOUR, new RaftLog(withConfig).conf(), "read from storage at start");
  }

  @Test
  void commitMovesOnlyForwardAndNeverPastTheLastIndex() {
    RaftLog log = new RaftLog(storage());
    log.commitTo(15);
    assertEquals(15, log.committed());
    log.commitTo(12);
    assertEquals(15, log.committed());
    log.append(noops(5, 16, 16));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> log.commitTo(17));
    assertEquals("commit 17 is past the last index 16", e.getMessage());
    log.commitTo(16);
    assertEquals(16, log.committed());
  }

  @Test
  void onlyCommittedAndPersistedEntriesAreHandedToTheStateMachine() {
    MemoryLogStorage storage = storage();
    RaftLog log = new RaftLog(storage);
    log.append(noops(5, 16, 17));
    log.commitTo(17);
    assertTrue(log.hasCommittedEntriesToApply());
    assertEquals(List.of(11L, 12L, 13L, 14L, 15L), indexes(log.committedEntriesToApply(1 << 20)), "16 and 17 are not durable");
    log.appliedTo(15);
    assertFalse(log.hasCommittedEntriesToApply());
    storage.append(noops(5, 16, 17)); // the node persisted them
    log.stableTo(17, 5);
    assertEquals(17, log.persistedLastIndex());
    assertFalse(log.hasUnstable());
    assertTrue(log.hasCommittedEntriesToApply());
    assertEquals(List.of(16L, 17L), indexes(log.committedEntriesToApply(1 << 20)));
    log.appliedTo(17);
    assertFalse(log.hasCommittedEntriesToApply());
    assertEquals(List.of(), log.committedEntriesToApply(1 << 20));
  }

  @Test
  void appliedMovesOnlyForwardAndNeverPastCommit() {
    RaftLog log = new RaftLog(storage());
    log.commitTo(14);
    log.appliedTo(14);
    assertEquals(14, log.applied());
    log.appliedTo(12);
    assertEquals(14, log.applied());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> log.appliedTo(15));
    assertEquals("applied 15 is past commit 14", e.getMessage());
  }

  @Test
  void atRestartTheAppliedIndexIsAlsoCommitted() {
    RaftLog log = new RaftLog(storage());
    log.initApplied(13);
    assertEquals(13, log.applied());
    assertEquals(13, log.committed());
    log.commitTo(15);
    log.initApplied(14);
    assertEquals(15, log.committed(), "a higher commit stays");
    RaftLog same = new RaftLog(storage());
    same.initApplied(10);
    assertEquals(10, same.committed());
  }

  @Test
  void stableToDropsOnlyTheEntriesStillOurs() {
    RaftLog log = new RaftLog(storage());
    log.append(noops(5, 16, 18));
    log.stableTo(15, 4); // below the tail
    log.stableTo(19, 5); // past the end
    log.stableTo(17, 4); // another term: overwritten meanwhile
    assertEquals(List.of(16L, 17L, 18L), indexes(log.unstableEntries()));
    log.stableTo(16, 5);
    assertEquals(List.of(17L, 18L), indexes(log.unstableEntries()));
    assertEquals(16, log.persistedLastIndex());
    log.stableTo(18, 5);
    assertEquals(List.of(), log.unstableEntries());
    assertEquals(18, log.lastIndex());
    assertEquals(18, log.persistedLastIndex());
  }

  @Test
  void aSnapshotFromTheLeaderReplacesTheLogUntilInstalled() {
    RaftLog log = new RaftLog(storage());
    log.append(noops(5, 16, 17));
    ConfState five = FOUR.withVoter("n5");
    log.restore(new SnapshotMeta(30, 6, five));
    assertEquals(31, log.firstIndex());
    assertEquals(30, log.lastIndex());
    assertEquals(6, log.lastTerm());
    assertEquals(RaftLog.COMPACTED, log.term(29));
    assertEquals(RaftLog.COMPACTED, log.term(13));
    assertEquals(0, log.term(31));
    assertEquals(30, log.committed());
    assertEquals(30, log.persistedLastIndex());
    assertEquals(five, log.conf());
    assertEquals(List.of(), log.unstableEntries());
    assertTrue(log.hasUnstable());
    assertFalse(log.hasCommittedEntriesToApply(), "the snapshot replaces applying");
    assertEquals(List.of(), log.committedEntriesToApply(1 << 20));
    log.append(noops(7, 31, 32));
    assertEquals(32, log.lastIndex());
    assertEquals(7, log.term(32));
    log.stableSnapshotTo(29);
    assertEquals(new SnapshotMeta(30, 6, five), log.unstableSnapshot());
    log.stableSnapshotTo(30);
    assertNull(log.unstableSnapshot());
  }

  @Test
  void theBacktrackHintIsTheLastEntryOfAtMostTheGivenTerm() {
    RaftLog log = new RaftLog(storage()); // 11@2 12@2 13@3 14@3 15@4
    assertEquals(14, log.findConflictByTerm(15, 3));
    assertEquals(13, log.findConflictByTerm(13, 3));
    assertEquals(12, log.findConflictByTerm(14, 2));
    assertEquals(15, log.findConflictByTerm(99, 4), "from the last index down");
    assertEquals(10, log.findConflictByTerm(15, 1), "none: the entry before the first");
  }

  @Test
  void aFollowerAppendsWhatIsNewTruncatesConflictsAndLearnsTheCommit() {
    RaftLog log = new RaftLog(storage());
    assertEquals(-1, log.maybeAppend(15, 3, 15, noops(4, 16, 16)), "the previous entry does not match");
    assertEquals(-1, log.maybeAppend(16, 4, 15, List.of()), "past the end");
    assertEquals(16, log.maybeAppend(14, 3, 13, List.of(Entry.noop(4, 15), Entry.noop(4, 16))));
    assertEquals(List.of(16L), indexes(log.unstableEntries()), "15 matched and was kept");
    assertEquals(13, log.committed());
    assertEquals(15, log.maybeAppend(13, 3, 99, List.of(Entry.noop(3, 14), Entry.noop(5, 15))));
    assertEquals(5, log.term(15));
    assertEquals(15, log.lastIndex(), "16 went with the conflict at 15");
    assertEquals(15, log.committed(), "the leader's commit, capped at what this append covers");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> log.maybeAppend(13, 3, 15, List.of(Entry.noop(3, 14), Entry.noop(6, 15))));
    assertEquals("entry 15 conflicts with a committed entry (commit 15)", e.getMessage());
    log.append(noops(5, 16, 16));
    assertEquals(16, log.maybeAppend(15, 5, 15, List.of(Entry.noop(7, 16))), "a conflict just above the commit");
    assertEquals(7, log.term(16));
  }
}
