package leasekv.lazyfs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Which of a file's unsynced changes a power loss keeps, in the order they were made:
 * <ul>
 *   <li>{@code ALL}: none (every unsynced change is lost; the default {@code lose-unsynced});</li>
 *   <li>{@code KEEP_PREFIX}: a random prefix of them, as a disk that flushed part of its cache in order,
 *       and of the first change after the prefix, if it is a write, the part up to a random 512-byte
 *       sector boundary inside it (possibly nothing);</li>
 *   <li>{@code TEAR}: all but the last write, which survives only up to a random sector boundary
 *       inside it (nothing of it when it lies within one sector); changes after it are lost.</li>
 * </ul>
 * Every random choice comes from one seeded {@link Random}, so a loss can be repeated.
 */
final class PartialLoss {
    static final int SECTOR_BYTES = 512;

    enum Mode {
        ALL, KEEP_PREFIX, TEAR;

        String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Mode parse(String name) {
            for (Mode m : values()) {
                if (m.cliName().equals(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown loss mode '" + name + "' (want keep-prefix or tear)");
        }
    }

    /** What survives of one file: the changes to replay and whether a write was torn. */
    record Survivors(List<UnsyncedChange> kept, boolean torn) {
    }

    private final Mode mode;
    private final long seed;
    private final Random random;

    PartialLoss(Mode mode, long seed) {
        this.mode = mode;
        this.seed = seed;
        this.random = new Random(seed);
    }

    Mode mode() {
        return mode;
    }

    long seed() {
        return seed;
    }

    /** The changes of one file (oldest first) that survive the loss. Draws from the shared random. */
    Survivors survivors(List<UnsyncedChange> changes) {
        switch (mode) {
            case KEEP_PREFIX: {
                int kept = random.nextInt(changes.size() + 1);
                List<UnsyncedChange> out = new ArrayList<>(changes.subList(0, kept));
                return withTornPart(out, kept < changes.size() ? changes.get(kept) : null);
            }
            case TEAR: {
                int last = lastWrite(changes);
                if (last < 0) {
                    return new Survivors(List.of(), false);
                }
                return withTornPart(new ArrayList<>(changes.subList(0, last)), changes.get(last));
            }
            default:
                return new Survivors(List.of(), false);
        }
    }

    private Survivors withTornPart(List<UnsyncedChange> kept, UnsyncedChange next) {
        if (next instanceof UnsyncedChange.Write w) {
            int cut = sectorCut(w.offset(), w.data().length);
            if (cut > 0) {
                kept.add(new UnsyncedChange.Write(w.offset(), Arrays.copyOf(w.data(), cut)));
                return new Survivors(kept, true);
            }
        }
        return new Survivors(kept, false);
    }

    /**
     * How many leading bytes of a write at {@code offset} survive: up to a random sector boundary
     * strictly inside it, or 0 when none lies inside (a write within one sector is atomic).
     */
    int sectorCut(long offset, int length) {
        long first = (offset / SECTOR_BYTES + 1) * SECTOR_BYTES;
        long end = offset + length;
        if (first >= end) {
            return 0;
        }
        long boundaries = (end - 1 - first) / SECTOR_BYTES + 1;
        long boundary = first + SECTOR_BYTES * (long) random.nextInt((int) Math.min(Integer.MAX_VALUE, boundaries));
        return (int) (boundary - offset);
    }

    private static int lastWrite(List<UnsyncedChange> changes) {
        for (int i = changes.size() - 1; i >= 0; i--) {
            if (changes.get(i) instanceof UnsyncedChange.Write) {
                return i;
            }
        }
        return -1;
    }
}
