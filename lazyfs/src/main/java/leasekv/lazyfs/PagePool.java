package leasekv.lazyfs;

import java.util.ArrayDeque;
import java.util.Collection;

/**
 * Recycles the 4 KiB page arrays of unsynced data. A 64 MiB file written then fsynced would otherwise
 * allocate 16k arrays that live just long enough to be copied by the garbage collector; reused pages
 * stay in the old generation and cost nothing. At most {@code maxIdlePages} are kept idle.
 */
final class PagePool {
    private final ArrayDeque<byte[]> idle = new ArrayDeque<>();
    private final int maxIdlePages;

    PagePool(int maxIdlePages) {
        this.maxIdlePages = maxIdlePages;
    }

    /** A page with arbitrary content: the caller overwrites or zeroes all of it. */
    byte[] take() {
        synchronized (idle) {
            byte[] page = idle.pollFirst();
            if (page != null) {
                return page;
            }
        }
        return new byte[FileState.PAGE_SIZE];
    }

    void give(byte[] page) {
        synchronized (idle) {
            if (idle.size() < maxIdlePages) {
                idle.addFirst(page);
            }
        }
    }

    void giveAll(Collection<byte[]> pages) {
        synchronized (idle) {
            for (byte[] page : pages) {
                if (idle.size() >= maxIdlePages) {
                    return;
                }
                idle.addFirst(page);
            }
        }
    }

    int idlePages() {
        synchronized (idle) {
            return idle.size();
        }
    }
}
