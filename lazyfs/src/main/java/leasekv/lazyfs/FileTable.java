package leasekv.lazyfs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link FileState} of every backing inode that is open or has unsynced changes, keyed by inode
 * number (so hard links and renames share one state), plus the FUSE file handles. A state holds its
 * own descriptor on the backing inode, which keeps the inode number from being reused while the state
 * exists. Reference counts change only inside the map's atomic {@code compute}.
 */
final class FileTable {
    private final ConcurrentHashMap<Long, FileState> byIno = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, FileState> byHandle = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final Counters counters;
    private final PagePool pool;

    FileTable(Counters counters, PagePool pool) {
        this.counters = counters;
        this.pool = pool;
    }

    /**
     * Takes a reference on the state of the inode {@code fd} is open on, creating the state with this
     * descriptor, or closing the descriptor when a state already exists.
     */
    FileState acquire(int fd) throws ErrnoException {
        Posix.Stat stat;
        try {
            stat = Posix.fstat(fd);
        } catch (ErrnoException e) {
            Posix.closeQuietly(fd);
            throw e;
        }
        boolean[] adopted = {false};
        FileState state = byIno.compute(stat.ino(), (ino, existing) -> {
            FileState s = existing;
            if (s == null) {
                s = new FileState(ino, fd, stat.size(), counters, pool);
                adopted[0] = true;
            }
            s.references++;
            return s;
        });
        if (!adopted[0]) {
            Posix.closeQuietly(fd);
        }
        return state;
    }

    /** Takes a reference on an existing state, or answers null if the inode has none. */
    FileState acquireExisting(long ino) {
        return byIno.computeIfPresent(ino, (k, s) -> {
            s.references++;
            return s;
        });
    }

    /** Drops a reference; an unreferenced state with nothing pending (or no name left) is closed. */
    void release(FileState state) {
        FileState[] closed = {null};
        byIno.computeIfPresent(state.ino, (ino, s) -> {
            if (s != state) {
                return s;
            }
            s.references--;
            if (s.references == 0 && isDisposable(s)) {
                closed[0] = s;
                return null;
            }
            return s;
        });
        if (closed[0] != null) {
            dispose(closed[0]);
        }
    }

    long openHandle(FileState state) {
        long handle = nextHandle.getAndIncrement();
        byHandle.put(handle, state);
        return handle;
    }

    FileState handle(long handle) throws ErrnoException {
        FileState state = byHandle.get(handle);
        if (state == null) {
            throw new ErrnoException(Posix.EBADF, "handle", Long.toString(handle));
        }
        return state;
    }

    void closeHandle(long handle) {
        FileState state = byHandle.remove(handle);
        if (state != null) {
            release(state);
        }
    }

    FileState peek(long ino) {
        return byIno.get(ino);
    }

    List<FileState> all() {
        return new ArrayList<>(byIno.values());
    }

    int openHandles() {
        return byHandle.size();
    }

    /** The unreferenced or referenced state holding the most unsynced pages, or null when none. */
    FileState largestPending() {
        return byIno.values().stream()
                .filter(s -> s.pendingBytes() > 0)
                .max(Comparator.comparingLong(FileState::pendingBytes))
                .orElse(null);
    }

    /** Closes every unreferenced state that has nothing pending or whose inode lost its last name. */
    void reapIdle() {
        for (Long ino : new ArrayList<>(byIno.keySet())) {
            FileState[] closed = {null};
            byIno.computeIfPresent(ino, (k, s) -> {
                if (s.references == 0 && isDisposable(s)) {
                    closed[0] = s;
                    return null;
                }
                return s;
            });
            if (closed[0] != null) {
                dispose(closed[0]);
            }
        }
    }

    private static boolean isDisposable(FileState state) {
        if (!state.hasPending()) {
            return true;
        }
        try {
            return Posix.fstat(state.fd()).nlink() == 0; // unreachable: its unsynced data can never be read
        } catch (ErrnoException e) {
            return false;
        }
    }

    private static void dispose(FileState state) {
        state.dropUnsynced();
        state.closeBacking();
    }
}
