package leasekv.checker.search;

import java.util.ArrayList;
import java.util.List;

/**
 * The set of configurations (linearized ops, model state) a search has already visited.
 *
 * <p>A configuration is stored exactly, not as a fingerprint: the state id and the linearized-set bitset
 * with its leading all-ones words and trailing zero words cut off (in a valid search almost every op
 * before the current point is linearized, so what remains is a short window). Entries live in large
 * {@code long[]} chunks rather than one object each, and an open-addressing table of (hash, address)
 * indexes them. Every allocation is reserved from the {@link MemoryBudget} first.
 */
final class ConfigCache {
    private static final int FIRST_CHUNK_LONGS = 1 << 10;
    /**
     * 256 KiB: under half of G1's smallest region (1 MiB), so a chunk is never a humongous object, which G1
     * would give a whole region (a 512 KiB chunk took 1 MiB, and a search within its budget ran the heap out).
     */
    private static final int MAX_CHUNK_LONGS = 1 << 15;
    private static final int HEADER_LONGS = 2;
    /** 128 KiB per table array: small enough never to be humongous for G1. */
    private static final int MAX_INITIAL_TABLE = 1 << 14;

    private final SearchLimits limits;
    private final List<long[]> chunks = new ArrayList<>();
    private long[] chunk;
    private int chunkUsed;
    private long[] tableHashes;
    private long[] tableAddresses;
    private int size;
    private long reservedBytes;

    ConfigCache(SearchLimits limits) {
        this(limits, 0);
    }

    /**
     * @param expectedConfigurations how many configurations the search will likely store (a valid key takes
     *     about one per call), so the table does not have to grow through every size up to it
     */
    ConfigCache(SearchLimits limits, int expectedConfigurations) {
        this.limits = limits;
        int wanted = Math.min(Math.max(expectedConfigurations, 64), MAX_INITIAL_TABLE / 4) * 4;
        allocateTable(Integer.highestOneBit(wanted - 1) << 1);
        newChunk(FIRST_CHUNK_LONGS);
    }

    int size() {
        return size;
    }

    long reservedBytes() {
        return reservedBytes;
    }

    /**
     * Adds the configuration unless it is present.
     *
     * @param hash a hash of (bits, stateId); equal configurations must give equal hashes
     * @param firstWord the first word of {@code bits} that is not all ones
     * @param lastWord the last word of {@code bits} that is not zero (less than firstWord when none)
     * @return true if it was new
     */
    boolean add(long hash, int stateId, long[] bits, int firstWord, int lastWord) {
        int length = Math.max(0, lastWord - firstWord + 1);
        int mask = tableHashes.length - 1;
        int slot = (int) (hash ^ (hash >>> 32)) & mask;
        while (tableAddresses[slot] != 0) {
            if (tableHashes[slot] == hash && matches(tableAddresses[slot] - 1, stateId, bits, firstWord, length)) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        tableHashes[slot] = hash;
        tableAddresses[slot] = store(stateId, bits, firstWord, length) + 1;
        if (++size * 2 > tableHashes.length) {
            grow();
        }
        return true;
    }

    private boolean matches(long address, int stateId, long[] bits, int firstWord, int length) {
        long[] entryChunk = chunks.get((int) (address >>> 32));
        int offset = (int) address;
        if (entryChunk[offset] != header(stateId, firstWord) || entryChunk[offset + 1] != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (entryChunk[offset + HEADER_LONGS + i] != bits[firstWord + i]) {
                return false;
            }
        }
        return true;
    }

    private long store(int stateId, long[] bits, int firstWord, int length) {
        int needed = HEADER_LONGS + length;
        if (chunkUsed + needed > chunk.length) {
            // Small keys stay small; big searches soon get big chunks.
            newChunk(Math.max(Math.min(chunk.length * 2, MAX_CHUNK_LONGS), needed));
        }
        int offset = chunkUsed;
        chunk[offset] = header(stateId, firstWord);
        chunk[offset + 1] = length;
        System.arraycopy(bits, firstWord, chunk, offset + HEADER_LONGS, length);
        chunkUsed += needed;
        return ((long) (chunks.size() - 1) << 32) | offset;
    }

    private static long header(int stateId, int firstWord) {
        return ((long) stateId << 32) | (firstWord & 0xffffffffL);
    }

    private void newChunk(int longs) {
        reserve(16L + 8L * longs);
        chunk = new long[longs];
        chunks.add(chunk);
        chunkUsed = 0;
    }

    private void allocateTable(int capacity) {
        reserve(2 * (16L + 8L * capacity));
        tableHashes = new long[capacity];
        tableAddresses = new long[capacity];
    }

    private void grow() {
        long[] oldHashes = tableHashes;
        long[] oldAddresses = tableAddresses;
        allocateTable(oldHashes.length * 2);
        int mask = tableHashes.length - 1;
        for (int i = 0; i < oldHashes.length; i++) {
            if (oldAddresses[i] != 0) {
                int slot = (int) (oldHashes[i] ^ (oldHashes[i] >>> 32)) & mask;
                while (tableAddresses[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                tableHashes[slot] = oldHashes[i];
                tableAddresses[slot] = oldAddresses[i];
            }
        }
        release(2 * (16L + 8L * oldHashes.length));
    }

    private void reserve(long bytes) {
        limits.reserve(bytes, size);
        reservedBytes += bytes;
    }

    private void release(long bytes) {
        limits.memory().release(bytes);
        reservedBytes -= bytes;
    }

    /** Returns every reserved byte to the budget; the cache must not be used afterwards. */
    void releaseAll() {
        release(reservedBytes);
        chunks.clear();
        chunk = null;
        tableHashes = null;
        tableAddresses = null;
    }
}
