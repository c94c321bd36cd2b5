package leasekv.lazyfs;

import java.nio.file.Path;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE file system: passes every operation through to the backing directory, except that file
 * data, truncates and extensions stay in memory ({@link FileState}) until the file is fsynced, and
 * namespace changes stay undoable ({@link Namespace}) until the model says they are durable.
 * {@link ControlOps#loseUnsynced()} is the power loss.
 *
 * <p>Every callback holds the read side of {@link #fsLock}; power loss and sync-all take the write
 * side, so they happen between operations, never in the middle of one. Callbacks never throw: a
 * failure becomes {@code -errno} for the caller, an unexpected one is logged and becomes EIO.
 */
public final class LazyFs extends FuseStubFS {
    private final Counters counters = new Counters();
    /** Up to 16k idle pages (64 MiB) are kept for reuse. */
    private final FileTable table = new FileTable(counters, new PagePool(16_384));
    private final DirectoryHandles directories = new DirectoryHandles();
    private final Namespace namespace;
    private final long maxPendingBytes;
    private final ReentrantReadWriteLock fsLock = new ReentrantReadWriteLock();
    private final ReentrantLock relieving = new ReentrantLock();
    private final ControlOps control;
    private volatile Runnable onReady = () -> { };
    private volatile Runnable onDestroy = () -> { };
    /** Strongly held for the life of the mount: the native closures die with it. */
    private final NativeCallbacks nativeCallbacks;

    public LazyFs(Path backing, NamespaceDurability durability, long maxPendingBytes, int maxPendingOps) {
        this.namespace = new Namespace(backing.toAbsolutePath().normalize().toString(), durability, counters,
                maxPendingOps);
        this.maxPendingBytes = maxPendingBytes;
        this.control = new ControlOps(fsLock, table, namespace, counters);
        enableNullPaths();
        this.nativeCallbacks = NativeCallbacks.install(fuseOperations, new NativeCallbacks.Handler() {
            @Override
            public int read(long handle, Pointer buf, long size, long offset) {
                return readHandle(handle, buf, size, offset);
            }

            @Override
            public int write(long handle, Pointer buf, long size, long offset) {
                return writeHandle(handle, buf, size, offset);
            }

            @Override
            public int fsync(long handle, boolean dataOnly) {
                return fsyncHandle(handle, dataOnly);
            }

            @Override
            public int fsyncDirectory(long handle) {
                return LazyFs.this.fsyncDirectory(handle);
            }
        });
    }

    /** lose-unsynced, sync-all and stats. */
    public ControlOps control() {
        return control;
    }

    /** Purges a dead predecessor's trash; call before mounting. Answers the entries purged. */
    public int prepareBacking() throws ErrnoException {
        return namespace.prepareTrash();
    }

    /** Runs once the kernel has connected: the mount is live. */
    public void onReady(Runnable action) {
        this.onReady = action;
    }

    /** Runs when the kernel ends the mount, after pending data were synced. */
    public void onDestroy(Runnable action) {
        this.onDestroy = action;
    }

    /** jnr-fuse remembers it mounted; after our own unmount its shutdown hook must not act again. */
    void markUnmounted() {
        mounted.set(false);
    }

    @Override
    protected String getFSName() {
        return "lazyfs";
    }

    /**
     * Sets libfuse's flag_nullpath_ok, flag_nopath and flag_utime_omit_ok (bits 0 to 2). With nopath,
     * libfuse does not build a path for operations on open files and directories (we use the handle),
     * which saves work on every read and write and keeps working after the file was unlinked or renamed.
     */
    private void enableNullPaths() {
        Struct.getMemory(fuseOperations).putInt(StructOffsets.of(fuseOperations.flag_nullpath_ok), 0b111);
    }

    @FunctionalInterface
    private interface Body {
        int run() throws ErrnoException;
    }

    private int guarded(String op, String path, Body body) {
        Lock lock = fsLock.readLock();
        lock.lock();
        try {
            if (control.dead()) {
                return -Posix.EIO; // the power went at an fsync: nothing works until the next mount
            }
            return body.run();
        } catch (ErrnoException e) {
            return -e.errno();
        } catch (RuntimeException | Error e) {
            Log.error(op + " " + path + " failed", e);
            return -Posix.EIO;
        } finally {
            lock.unlock();
        }
    }

    private int callerUid() {
        return (int) getContext().uid.get();
    }

    private int callerGid() {
        return (int) getContext().gid.get();
    }

    @Override
    public Pointer init(Pointer conn) {
        onReady.run();
        return null;
    }

    @Override
    public void destroy(Pointer initResult) {
        try {
            Log.info("unmounting: " + control.syncAll());
        } finally {
            onDestroy.run();
        }
    }

    @Override
    public int getattr(String path, FileStat stat) {
        return guarded("getattr", path, () -> {
            String backing = namespace.backingPath(path);
            Pointer buf = Struct.getMemory(stat);
            Posix.check(Posix.LIBC.lstat(backing, buf), "lstat", backing);
            showLiveSize(buf, null);
            return 0;
        });
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return guarded("fgetattr", path, () -> {
            FileState state = table.handle(fi.fh.get());
            Pointer buf = Struct.getMemory(stat);
            Posix.check(Posix.LIBC.fstat(state.fd(), buf), "fstat", String.valueOf(path));
            showLiveSize(buf, state);
            return 0;
        });
    }

    /** Replaces the backing size in a stat buffer by the size applications see. */
    private void showLiveSize(Pointer buf, FileState known) {
        if (!Posix.isRegular(buf.getInt(Posix.STAT_MODE))) {
            return;
        }
        FileState state = known != null ? known : table.peek(buf.getLong(Posix.STAT_INO));
        if (state != null) {
            long size = state.size();
            if (size != buf.getLong(Posix.STAT_SIZE_FIELD)) {
                buf.putLong(Posix.STAT_SIZE_FIELD, size);
                buf.putLong(Posix.STAT_BLOCKS, (size + 511) / 512);
            }
        }
    }

    @Override
    public int readlink(String path, Pointer buf, long size) {
        return guarded("readlink", path, () -> {
            String backing = namespace.backingPath(path);
            long n = Posix.check(Posix.LIBC.readlink(backing, buf, size - 1), "readlink", backing);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return guarded("mknod", path, () -> {
            if (!Posix.isRegular((int) mode)) {
                return -Posix.EPERM; // devices, FIFOs and sockets are not modelled
            }
            Posix.closeQuietly(namespace.createFile(path, (int) mode, Posix.O_EXCL, callerUid(), callerGid()));
            return 0;
        });
    }

    @Override
    public int mkdir(String path, long mode) {
        return guarded("mkdir", path, () -> {
            namespace.mkdir(path, (int) mode, callerUid(), callerGid());
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return guarded("unlink", path, () -> {
            namespace.unlink(path);
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return guarded("rmdir", path, () -> {
            namespace.rmdir(path);
            return 0;
        });
    }

    @Override
    public int symlink(String target, String linkPath) {
        return guarded("symlink", linkPath, () -> {
            namespace.symlink(target, linkPath, callerUid(), callerGid());
            return 0;
        });
    }

    @Override
    public int rename(String from, String to) {
        return guarded("rename", from, () -> {
            namespace.rename(from, to);
            return 0;
        });
    }

    @Override
    public int link(String existing, String newPath) {
        return guarded("link", newPath, () -> {
            namespace.link(existing, newPath);
            return 0;
        });
    }

    @Override
    public int chmod(String path, long mode) {
        return guarded("chmod", path, () -> {
            String backing = namespace.backingPath(path);
            Posix.check(Posix.LIBC.chmod(backing, (int) mode & 07777), "chmod", backing);
            return 0;
        });
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return guarded("chown", path, () -> {
            String backing = namespace.backingPath(path);
            Posix.check(Posix.LIBC.lchown(backing, (int) uid, (int) gid), "lchown", backing);
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] times) {
        return guarded("utimens", path, () -> {
            String backing = namespace.backingPath(path);
            Pointer both = Struct.getMemory(times[0]); // jnr-fuse sliced both from one timespec[2]
            Posix.check(Posix.LIBC.utimensat(Posix.AT_FDCWD, backing, both, Posix.AT_SYMLINK_NOFOLLOW),
                    "utimensat", backing);
            return 0;
        });
    }

    @Override
    public int truncate(String path, long size) {
        return guarded("truncate", path, () -> {
            FileState state = table.acquire(namespace.openExisting(path));
            try {
                state.truncate(size);
            } finally {
                table.release(state);
            }
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return guarded("ftruncate", path, () -> {
            table.handle(fi.fh.get()).truncate(size);
            return 0;
        });
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return guarded("open", path, () -> {
            FileState state = table.acquire(namespace.openExisting(path));
            fi.fh.set(table.openHandle(state));
            return 0;
        });
    }

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        return guarded("create", path, () -> {
            int fd = namespace.createFile(path, (int) mode, fi.flags.get(), callerUid(), callerGid());
            FileState state = table.acquire(fd);
            fi.fh.set(table.openHandle(state));
            return 0;
        });
    }

    private int readHandle(long handle, Pointer buf, long size, long offset) {
        return guarded("read", null, () -> table.handle(handle).read(buf, offset, (int) size));
    }

    private int writeHandle(long handle, Pointer buf, long size, long offset) {
        int result = guarded("write", null, () -> {
            table.handle(handle).write(buf, offset, (int) size);
            return (int) size;
        });
        if (counters.pendingMemoryBytes() > maxPendingBytes) {
            relieveMemory();
        }
        return result;
    }

    /**
     * Over the pending-memory cap, the largest files are written back (not fsynced) until usage is
     * under 90% of the cap: what a kernel does with dirty pages, so those bytes may now survive a loss.
     */
    private void relieveMemory() {
        if (!relieving.tryLock()) {
            return;
        }
        Lock lock = fsLock.readLock();
        lock.lock();
        try {
            while (counters.pendingMemoryBytes() > maxPendingBytes / 10 * 9) {
                FileState largest = table.largestPending();
                FileState state = largest == null ? null : table.acquireExisting(largest.ino);
                if (state == null) {
                    break;
                }
                try {
                    counters.writebackBytes.addAndGet(state.flush(false, true));
                } finally {
                    table.release(state);
                }
            }
        } catch (ErrnoException e) {
            Log.warn("memory-pressure writeback failed: " + e.getMessage());
        } finally {
            lock.unlock();
            relieving.unlock();
        }
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return guarded("statfs", path, () -> {
            Posix.check(Posix.LIBC.statvfs(namespace.root(), Struct.getMemory(stbuf)), "statvfs", namespace.root());
            return 0;
        });
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        return 0; // close(2) does not make anything durable
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return guarded("release", path, () -> {
            table.closeHandle(fi.fh.get());
            return 0;
        });
    }

    /**
     * An armed power loss strikes here, at the start of an fsync, outside the read lock (the loss takes
     * the write lock): the fsync fails, whatever it was to make durable is subject to the loss.
     */
    private boolean strikeArmedLoss() {
        PartialLoss loss = control.takeArmed();
        if (loss == null) {
            return false;
        }
        Log.info("power loss at an fsync: " + control.losePartially(loss, true));
        return true;
    }

    private int fsyncHandle(long handle, boolean dataOnly) {
        if (strikeArmedLoss()) {
            return -Posix.EIO;
        }
        return guarded("fsync", null, () -> {
            FileState state = table.handle(handle);
            try {
                counters.syncedBytes.addAndGet(state.flush(true, dataOnly));
            } catch (ErrnoException e) {
                Log.warn("fsync failed: " + e.getMessage());
                throw e;
            }
            counters.fileSyncs.incrementAndGet();
            if (namespace.afterFileSync() > 0) {
                table.reapIdle();
            }
            return 0;
        });
    }

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return guarded("opendir", path, () -> {
            fi.fh.set(directories.open(namespace.openDirectory(path)));
            return 0;
        });
    }

    /** Lists through the descriptor (via /proc/self/fd), so a directory renamed while open still works. */
    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
        return guarded("readdir", path, () -> {
            int fd = directories.fd(fi.fh.get());
            boolean atRoot = namespace.isRoot(Posix.fstat(fd).ino());
            filler.apply(buf, ".", null, 0);
            filler.apply(buf, "..", null, 0);
            for (String name : BackingFiles.list("/proc/self/fd/" + fd)) {
                if (atRoot && Namespace.TRASH_NAME.equals(name)) {
                    continue;
                }
                if (filler.apply(buf, name, null, 0) != 0) {
                    break;
                }
            }
            return 0;
        });
    }

    private int fsyncDirectory(long handle) {
        if (strikeArmedLoss()) {
            return -Posix.EIO;
        }
        return guarded("fsyncdir", null, () -> {
            if (namespace.fsyncDirectory(directories.fd(handle)) > 0) {
                table.reapIdle(); // a committed unlink may have freed an inode whose unsynced data is moot
            }
            counters.dirSyncs.incrementAndGet();
            return 0;
        });
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        return guarded("releasedir", path, () -> {
            directories.close(fi.fh.get());
            return 0;
        });
    }

    @Override
    public int access(String path, int mask) {
        return guarded("access", path, () -> {
            String backing = namespace.backingPath(path);
            Posix.lstat(backing);
            return 0;
        });
    }

    /**
     * Mode 0 and KEEP_SIZE preallocate: the backing file gets the blocks (KEEP_SIZE, so its durable
     * content is unchanged) and mode 0 also grows the live size, unsynced like a write. Punching a
     * hole past the end changes nothing. Anything else answers EOPNOTSUPP so callers fall back.
     */
    @Override
    public int fallocate(String path, int mode, long offset, long length, FuseFileInfo fi) {
        return guarded("fallocate", path, () -> {
            FileState state = table.handle(fi.fh.get());
            boolean keepSize = (mode & Posix.FALLOC_FL_KEEP_SIZE) != 0;
            int action = mode & ~Posix.FALLOC_FL_KEEP_SIZE;
            if (action == 0) {
                if (Posix.LIBC.fallocate(state.fd(), Posix.FALLOC_FL_KEEP_SIZE, offset, length) < 0) {
                    int errno = Posix.errno();
                    if (errno != Posix.EOPNOTSUPP) {
                        return -errno; // ENOSPC above all: preallocation promises the space
                    }
                }
                if (!keepSize) {
                    state.extendTo(offset + length);
                }
                return 0;
            }
            if (action == Posix.FALLOC_FL_PUNCH_HOLE && keepSize && offset >= state.size()) {
                return 0;
            }
            return -Posix.EOPNOTSUPP;
        });
    }
}
