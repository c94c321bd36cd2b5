package leasekv.checker.search;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.junit.jupiter.api.Test;

/** The memory budget holds for the heap as the collector sees it, not only for the bytes the cache counts. */
class ConfigCacheTest {
    private static long usedHeapAfterGc(MemoryMXBean memory) {
        System.gc();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /**
     * Under G1 an array of half a region or more is "humongous" and takes whole regions: a 512 KiB chunk took
     * 1 MiB, so a search at its budget held twice what it had reserved and ran a 2 GiB heap out.
     */
    @Test
    void theHeapTheCacheHoldsIsAboutWhatItReserved() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedHeapAfterGc(memory);
        ConfigCache cache = new ConfigCache(SearchLimits.unlimited());
        long[] bits = new long[2];
        for (int i = 0; i < 2_000_000; i++) {
            bits[0] = i;
            bits[1] = ~i;
            cache.add(i * 0x9E3779B97F4A7C15L, 1, bits, 0, 1);
        }
        long held = usedHeapAfterGc(memory) - before;
        long reserved = cache.reservedBytes();
        assertTrue(held < reserved * 1.3, "held " + (held >> 20) + " MiB of heap for " + (reserved >> 20)
                + " MiB reserved");
        cache.releaseAll();
    }
}
