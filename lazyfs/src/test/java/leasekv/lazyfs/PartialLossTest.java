package leasekv.lazyfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Which unsynced changes a partial power loss keeps. No FUSE, no files. */
class PartialLossTest {
    private static UnsyncedChange.Write write(long offset, int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (offset + i);
        }
        return new UnsyncedChange.Write(offset, data);
    }

    @Test
    void aTornWriteEndsAtASectorBoundaryStrictlyInsideIt() {
        PartialLoss loss = new PartialLoss(PartialLoss.Mode.TEAR, 1);
        Set<Integer> cuts = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int cut = loss.sectorCut(100, 1500); // bytes 100..1599: boundaries 512, 1024, 1536 inside
            assertTrue(cut == 412 || cut == 924 || cut == 1436, "cut " + cut);
            cuts.add(cut);
        }
        assertEquals(Set.of(412, 924, 1436), cuts, "every boundary is drawn");
        assertEquals(0, loss.sectorCut(512, 512), "a write of exactly one sector is atomic");
        assertEquals(0, loss.sectorCut(600, 100), "a write inside one sector is atomic");
    }

    @Test
    void tearKeepsEverythingBeforeTheLastWriteAndPartOfIt() {
        List<UnsyncedChange> changes = List.of(write(0, 300), new UnsyncedChange.Extend(4096), write(300, 2000),
                new UnsyncedChange.Truncate(5000));
        PartialLoss.Survivors s = new PartialLoss(PartialLoss.Mode.TEAR, 42).survivors(changes);
        assertTrue(s.torn());
        assertEquals(3, s.kept().size(), "the truncate after the last write is lost");
        assertEquals(changes.subList(0, 2), s.kept().subList(0, 2));
        UnsyncedChange.Write torn = (UnsyncedChange.Write) s.kept().get(2);
        assertEquals(300, torn.offset());
        assertEquals(0, (torn.offset() + torn.data().length) % PartialLoss.SECTOR_BYTES, "ends on a sector boundary");
        assertTrue(torn.data().length < 2000);
        byte[] expected = new byte[torn.data().length];
        System.arraycopy(write(300, 2000).data(), 0, expected, 0, expected.length);
        assertArrayEquals(expected, torn.data(), "the torn write keeps its own leading bytes");
    }

    @Test
    void tearOfASmallLastWriteLosesItWhole() {
        List<UnsyncedChange> changes = List.of(write(0, 100), write(100, 50));
        PartialLoss.Survivors s = new PartialLoss(PartialLoss.Mode.TEAR, 3).survivors(changes);
        assertFalse(s.torn());
        assertEquals(List.of(changes.get(0)), s.kept());
    }

    @Test
    void keepPrefixKeepsAPrefixInWriteOrderAndEveryLengthOccurs() {
        List<UnsyncedChange> changes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            changes.add(write(i * 100L, 100));
        }
        PartialLoss loss = new PartialLoss(PartialLoss.Mode.KEEP_PREFIX, 9);
        Set<Integer> lengths = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            List<UnsyncedChange> kept = loss.survivors(changes).kept();
            assertEquals(changes.subList(0, kept.size()), kept, "a prefix, in order");
            lengths.add(kept.size());
        }
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), lengths);
    }

    @Test
    void theSameSeedDrawsTheSameLoss() {
        List<UnsyncedChange> changes = List.of(write(0, 3000), write(3000, 3000), write(6000, 3000));
        for (PartialLoss.Mode mode : List.of(PartialLoss.Mode.KEEP_PREFIX, PartialLoss.Mode.TEAR)) {
            for (long seed = 0; seed < 20; seed++) {
                assertEquals(sizes(new PartialLoss(mode, seed).survivors(changes)),
                        sizes(new PartialLoss(mode, seed).survivors(changes)), mode + " seed " + seed);
            }
        }
    }

    private static List<Integer> sizes(PartialLoss.Survivors s) {
        List<Integer> out = new ArrayList<>();
        for (UnsyncedChange c : s.kept()) {
            out.add(c instanceof UnsyncedChange.Write w ? w.data().length : -1);
        }
        return out;
    }

    @Test
    void controlCommandsParseModeAndSeed() {
        PartialLoss p = ControlOps.parseLoss("lose-unsynced tear seed=-17".split(" "), false);
        assertEquals(PartialLoss.Mode.TEAR, p.mode());
        assertEquals(-17, p.seed());
        assertEquals(PartialLoss.Mode.KEEP_PREFIX,
                ControlOps.parseLoss("lose-unsynced keep-prefix".split(" "), false).mode());
        assertEquals(PartialLoss.Mode.ALL, ControlOps.parseLoss("lose-at-next-fsync all".split(" "), true).mode());
        assertThrows(IllegalArgumentException.class, () -> ControlOps.parseLoss("lose-unsynced all".split(" "), false));
        assertThrows(IllegalArgumentException.class, () -> ControlOps.parseLoss("lose-at-next-fsync".split(" "), true));
        assertThrows(IllegalArgumentException.class, () -> ControlOps.parseLoss("lose-unsynced some".split(" "), false));
        assertThrows(IllegalArgumentException.class,
                () -> ControlOps.parseLoss("lose-unsynced tear seed=x".split(" "), false));
        assertThrows(IllegalArgumentException.class, () -> ControlOps.parseLoss("lose-unsynced tear 5".split(" "), false));
    }
}
