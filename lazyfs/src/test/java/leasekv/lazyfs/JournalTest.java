package leasekv.lazyfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which pending namespace ops a directory fsync commits. Pure logic: runs anywhere. */
class JournalTest {
    private static final long ROOT = 1;
    private static final long A = 2;
    private static final long B = 3;
    private static final long C = 4;
    private long seq;

    private NamespaceOp create(long dir) {
        return NamespaceOp.create(++seq, dir, "f" + seq, false, "create in " + dir);
    }

    private NamespaceOp rename(long from, long to) {
        return NamespaceOp.rename(++seq, from, "x", to, "y", null, false, 0, "rename " + from + " " + to);
    }

    private static List<Long> seqs(List<NamespaceOp> ops) {
        return ops.stream().map(op -> op.seq).toList();
    }

    @Test
    void directoryFsyncCommitsOnlyOpsInThatDirectory() {
        Journal journal = new Journal();
        journal.add(create(A));
        journal.add(create(B));
        journal.add(create(A));
        assertEquals(List.of(1L, 3L), seqs(journal.takeForDirectory(A)));
        assertEquals(1, journal.size());
        assertEquals(List.of(), seqs(journal.takeForDirectory(C)));
    }

    @Test
    void aCommittedRenamePullsInEarlierOpsOfBothDirectoriesTransitively() {
        Journal journal = new Journal();
        journal.add(create(C));          // 1: unrelated
        journal.add(create(A));          // 2: the file the rename moves
        journal.add(create(B));          // 3: earlier op in the destination
        journal.add(rename(A, B));       // 4
        journal.add(create(A));          // 5: later op in the source: not needed
        assertEquals(List.of(2L, 3L, 4L), seqs(journal.takeForDirectory(B)));
        assertEquals(List.of(1L, 5L), seqs(journal.takeAll()));
    }

    @Test
    void chainsOfSharedDirectoriesAreFollowedBackwardsOnly() {
        Journal journal = new Journal();
        journal.add(create(C));          // 1: shares C with op 2, which is older than op 3
        journal.add(rename(C, A));       // 2
        journal.add(rename(A, B));       // 3
        journal.add(rename(C, ROOT));    // 4: newer than everything fsync(B) needs
        assertEquals(List.of(1L, 2L, 3L), seqs(journal.takeForDirectory(B)));
        assertEquals(List.of(4L), seqs(journal.takeAll()));
    }

    @Test
    void removingADirectoryCommitsWhatHappenedInsideIt() {
        Journal journal = new Journal();
        journal.add(create(C));                                              // 1: inside C
        journal.add(NamespaceOp.remove(++seq, ROOT, "c", "t2", C, "rmdir")); // 2: C itself
        assertEquals(List.of(1L, 2L), seqs(journal.takeForDirectory(ROOT)));
    }

    @Test
    void oldestPrefixAndUndoOrder() {
        Journal journal = new Journal();
        journal.add(create(A));
        journal.add(create(B));
        journal.add(create(C));
        assertEquals(List.of(1L), seqs(journal.takeOldest(1)));
        assertEquals(List.of(3L, 2L), seqs(journal.takeAllNewestFirst()));
        assertEquals(0, journal.size());
    }
}
