package leasekv.lazyfs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * The unsynced state of one backing inode: what the application wrote, truncated or extended since the
 * last fsync, held in memory as 4 KiB pages over the backing file. The backing file itself is the
 * durable content; reads merge the pages over it. An fsync writes the pages to the backing file and
 * fsyncs it; a power loss just forgets them.
 *
 * <p>Three sizes describe the file: {@code backingSize} is the backing file's length, {@code liveSize}
 * what applications see, and {@code zeroFrom} the lowest size the file was truncated to since the last
 * sync: backing bytes at or past it are stale and read as zeros (a truncate then extend must not bring
 * old bytes back). Invariants: {@code zeroFrom <= liveSize}, and every page byte at or past
 * {@code liveSize} is zero.
 */
final class FileState {
    static final int PAGE_SHIFT = 12;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    static final long PAGE_MASK = PAGE_SIZE - 1;
    private static final int SCRATCH_BYTES = 1 << 20;
    private static final ThreadLocal<Pointer> SCRATCH =
            ThreadLocal.withInitial(() -> Memory.allocateDirect(Posix.RUNTIME, SCRATCH_BYTES));

    final long ino;
    private final int fd;
    private final Counters counters;
    private final PagePool pool;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final HashMap<Long, byte[]> pages = new HashMap<>();
    /** The changes the pages hold, in the order made, for a partial power loss. */
    private final ArrayList<UnsyncedChange> changes = new ArrayList<>();
    private long backingSize;
    private long liveSize;
    private long zeroFrom;
    /** Pages were written back under memory pressure without an fsync of the backing file. */
    private boolean backingUnsynced;
    /** Open FUSE handles plus in-flight path operations; guarded by {@link FileTable}'s map. */
    int references;

    FileState(long ino, int fd, long backingSize, Counters counters, PagePool pool) {
        this.ino = ino;
        this.fd = fd;
        this.counters = counters;
        this.pool = pool;
        this.backingSize = backingSize;
        this.liveSize = backingSize;
        this.zeroFrom = backingSize;
    }

    int fd() {
        return fd;
    }

    long size() {
        lock.readLock().lock();
        try {
            return liveSize;
        } finally {
            lock.readLock().unlock();
        }
    }

    boolean hasPending() {
        lock.readLock().lock();
        try {
            return hasPendingLocked();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Memory held for this file's unsynced data: its pages and its change log. */
    long pendingBytes() {
        lock.readLock().lock();
        try {
            return (long) pages.size() * PAGE_SIZE + changeBytes();
        } finally {
            lock.readLock().unlock();
        }
    }

    private boolean hasPendingLocked() {
        return !pages.isEmpty() || liveSize != backingSize || zeroFrom != backingSize;
    }

    /** Copies up to {@code length} bytes at {@code offset} into {@code dst}; answers the count (0 at EOF). */
    int read(Pointer dst, long offset, int length) throws ErrnoException {
        lock.readLock().lock();
        try {
            long end = Math.min(offset + length, liveSize);
            if (offset >= end) {
                return 0;
            }
            if (pages.isEmpty()) {
                readBacking(dst, 0, offset, end - offset);
                return (int) (end - offset);
            }
            long pos = offset;
            while (pos < end) {
                long index = pos >>> PAGE_SHIFT;
                byte[] page = pages.get(index);
                if (page != null) {
                    int inPage = (int) (pos & PAGE_MASK);
                    int n = (int) Math.min(PAGE_SIZE - inPage, end - pos);
                    dst.put(pos - offset, page, inPage, n);
                    pos += n;
                } else {
                    long runEnd = Math.min(end, (index + 1) << PAGE_SHIFT);
                    while (runEnd < end && !pages.containsKey(runEnd >>> PAGE_SHIFT)) {
                        runEnd = Math.min(end, runEnd + PAGE_SIZE);
                    }
                    readBacking(dst, pos - offset, pos, runEnd - pos);
                    pos = runEnd;
                }
            }
            return (int) (end - offset);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Fills {@code dst[dstOffset, +length)} with the durable bytes at {@code position}: backing or zeros. */
    private void readBacking(Pointer dst, long dstOffset, long position, long length) throws ErrnoException {
        long valid = Math.max(0, Math.min(length, Math.min(zeroFrom, backingSize) - position));
        long done = valid > 0 ? preadFully(dst.slice(dstOffset), position, valid) : 0;
        if (done < length) {
            dst.setMemory(dstOffset + done, length - done, (byte) 0);
        }
    }

    /** Reads up to {@code length} backing bytes; answers fewer only if the backing file is shorter. */
    private long preadFully(Pointer dst, long position, long length) throws ErrnoException {
        long done = 0;
        while (done < length) {
            long n = Posix.LIBC.pread(fd, dst.slice(done), length - done, position + done);
            if (n < 0 && Posix.errno() == Posix.EINTR) {
                continue;
            }
            Posix.check(n, "pread", "backing inode " + ino);
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** Keeps {@code length} bytes from {@code src} as unsynced data at {@code offset}. */
    void write(Pointer src, long offset, int length) throws ErrnoException {
        if (offset < 0 || offset + length < offset) {
            throw new ErrnoException(Posix.EFBIG, "write", "offset " + offset);
        }
        byte[] data = new byte[length];
        src.get(0, data, 0, length);
        lock.writeLock().lock();
        try {
            putBytes(offset, data);
            record(new UnsyncedChange.Write(offset, data));
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void putBytes(long offset, byte[] data) throws ErrnoException {
        long end = offset + data.length;
        long pos = offset;
        while (pos < end) {
            long index = pos >>> PAGE_SHIFT;
            int inPage = (int) (pos & PAGE_MASK);
            int n = (int) Math.min(PAGE_SIZE - inPage, end - pos);
            byte[] page = pages.get(index);
            if (page == null) {
                page = newPage(index, n == PAGE_SIZE);
            }
            System.arraycopy(data, (int) (pos - offset), page, inPage, n);
            pos += n;
        }
        liveSize = Math.max(liveSize, end);
    }

    private void record(UnsyncedChange change) {
        changes.add(change);
        counters.pendingChangeBytes.addAndGet(change.bytes());
    }

    private long changeBytes() {
        long bytes = 0;
        for (UnsyncedChange c : changes) {
            bytes += c.bytes();
        }
        return bytes;
    }

    private void forgetChanges() {
        counters.pendingChangeBytes.addAndGet(-changeBytes());
        changes.clear();
    }

    /** A page for {@code index}, holding the file's current bytes unless the caller overwrites it all. */
    private byte[] newPage(long index, boolean wholePageOverwritten) throws ErrnoException {
        byte[] page = pool.take();
        if (!wholePageOverwritten) {
            long start = index << PAGE_SHIFT;
            long valid = Math.min(PAGE_SIZE, Math.min(zeroFrom, backingSize) - start);
            int filled = 0;
            if (valid > 0) {
                Pointer scratch = SCRATCH.get();
                filled = (int) preadFully(scratch, start, valid);
                scratch.get(0, page, 0, filled);
            }
            Arrays.fill(page, filled, PAGE_SIZE, (byte) 0);
        }
        pages.put(index, page);
        counters.pendingPageBytes.addAndGet(PAGE_SIZE);
        return page;
    }

    /** ftruncate: unsynced until the next fsync, like a write. */
    void truncate(long size) throws ErrnoException {
        if (size < 0) {
            throw new ErrnoException(Posix.EINVAL, "truncate", "size " + size);
        }
        lock.writeLock().lock();
        try {
            truncatePages(size);
            record(new UnsyncedChange.Truncate(size));
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void truncatePages(long size) {
        if (size < liveSize) {
            long firstDropped = (size + PAGE_MASK) >>> PAGE_SHIFT;
            int before = pages.size();
            pages.entrySet().removeIf(e -> {
                if (e.getKey() < firstDropped) {
                    return false;
                }
                pool.give(e.getValue());
                return true;
            });
            counters.pendingPageBytes.addAndGet(-(long) (before - pages.size()) * PAGE_SIZE);
            byte[] straddling = pages.get(size >>> PAGE_SHIFT);
            if (straddling != null) {
                Arrays.fill(straddling, (int) (size & PAGE_MASK), PAGE_SIZE, (byte) 0);
            }
            zeroFrom = Math.min(zeroFrom, size);
        }
        liveSize = size;
    }

    /** fallocate mode 0: the file grows to at least {@code size}, the new bytes reading as zeros. */
    void extendTo(long size) {
        lock.writeLock().lock();
        try {
            liveSize = Math.max(liveSize, size);
            record(new UnsyncedChange.Extend(size));
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Makes the unsynced state the backing file's content. With {@code fsync} the backing file is then
     * fsynced ({@code dataOnly}: fdatasync) and the call is an application's fsync; without, it is a
     * memory-pressure writeback. Answers the bytes written.
     */
    long flush(boolean fsync, boolean dataOnly) throws ErrnoException {
        lock.writeLock().lock();
        try {
            long written = 0;
            if (hasPendingLocked()) {
                written = writeBack();
                backingUnsynced = true;
            }
            if (fsync && backingUnsynced) {
                int rc = dataOnly ? Posix.LIBC.fdatasync(fd) : Posix.LIBC.fsync(fd);
                Posix.check(rc, dataOnly ? "fdatasync" : "fsync", "backing inode " + ino);
                backingUnsynced = false;
            }
            return written;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private long writeBack() throws ErrnoException {
        if (zeroFrom < backingSize) {
            Posix.check(Posix.LIBC.ftruncate(fd, zeroFrom), "ftruncate", "backing inode " + ino);
            backingSize = zeroFrom;
        }
        List<Long> indexes = new ArrayList<>(pages.keySet());
        Collections.sort(indexes);
        Pointer run = SCRATCH.get();
        long written = 0;
        int i = 0;
        while (i < indexes.size()) {
            long runStart = indexes.get(i) << PAGE_SHIFT;
            int runBytes = 0;
            while (i < indexes.size() && runBytes < SCRATCH_BYTES
                    && (indexes.get(i) << PAGE_SHIFT) == runStart + runBytes) {
                run.put(runBytes, pages.get(indexes.get(i)), 0, PAGE_SIZE);
                runBytes += PAGE_SIZE;
                i++;
            }
            long length = Math.min(runBytes, liveSize - runStart);
            if (length > 0) {
                writeFully(run, runStart, length);
                written += length;
                backingSize = Math.max(backingSize, runStart + length);
            }
        }
        if (backingSize != liveSize) {
            Posix.check(Posix.LIBC.ftruncate(fd, liveSize), "ftruncate", "backing inode " + ino);
            backingSize = liveSize;
        }
        releasePages();
        forgetChanges();
        zeroFrom = backingSize;
        return written;
    }

    private void writeFully(Pointer buffer, long position, long length) throws ErrnoException {
        long done = 0;
        while (done < length) {
            long n = Posix.LIBC.pwrite(fd, buffer.slice(done), length - done, position + done);
            if (n < 0 && Posix.errno() == Posix.EINTR) {
                continue;
            }
            Posix.check(n, "pwrite", "backing inode " + ino);
            done += n;
        }
    }

    /** Power loss: forgets every unsynced change; answers the page bytes dropped. */
    long dropUnsynced() {
        lock.writeLock().lock();
        try {
            return forgetUnsynced();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private long forgetUnsynced() {
        long dropped = (long) pages.size() * PAGE_SIZE;
        releasePages();
        forgetChanges();
        liveSize = backingSize;
        zeroFrom = backingSize;
        return dropped;
    }

    /**
     * A partial power loss: forgets every unsynced change, then redoes the ones {@code loss} keeps (a
     * prefix, a torn write) from the durable state and makes them durable, as if the disk had written
     * them before the power went. Answers what survived.
     */
    PartialLoss.Survivors losePartially(PartialLoss loss) throws ErrnoException {
        lock.writeLock().lock();
        try {
            PartialLoss.Survivors survivors = loss.survivors(List.copyOf(changes));
            forgetUnsynced();
            for (UnsyncedChange c : survivors.kept()) {
                replay(c);
            }
            if (!survivors.kept().isEmpty()) {
                writeBack();
                Posix.check(Posix.LIBC.fsync(fd), "fsync", "backing inode " + ino);
            }
            return survivors;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void replay(UnsyncedChange change) throws ErrnoException {
        if (change instanceof UnsyncedChange.Write w) {
            putBytes(w.offset(), w.data());
        } else if (change instanceof UnsyncedChange.Truncate t) {
            truncatePages(t.size());
        } else if (change instanceof UnsyncedChange.Extend e) {
            liveSize = Math.max(liveSize, e.size());
        }
    }

    private void releasePages() {
        counters.pendingPageBytes.addAndGet(-(long) pages.size() * PAGE_SIZE);
        pool.giveAll(pages.values());
        pages.clear();
    }

    void closeBacking() {
        Posix.closeQuietly(fd);
    }
}
