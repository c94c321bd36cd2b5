package leasekv.lazyfs;

import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The loaded libc plus the Linux x86_64 constants and {@code struct stat} offsets lazyfs needs. Every
 * helper here throws {@link ErrnoException} carrying the exact errno, never a generic IOException,
 * because FUSE callbacks must answer with that errno.
 */
public final class Posix {
    public static final LibC LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
    public static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_CLOEXEC = 02000000;

    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;

    public static final int FALLOC_FL_KEEP_SIZE = 0x01;
    public static final int FALLOC_FL_PUNCH_HOLE = 0x02;

    /** sizeof(struct stat) and the offsets of the fields we read or patch (glibc, x86_64). */
    public static final int STAT_SIZE = 144;
    public static final int STAT_INO = 8;
    public static final int STAT_NLINK = 16;
    public static final int STAT_MODE = 24;
    public static final int STAT_SIZE_FIELD = 48;
    public static final int STAT_BLOCKS = 64;
    public static final int STATVFS_SIZE = 112;

    public static final int ENOENT = Errno.ENOENT.intValue();
    public static final int EIO = Errno.EIO.intValue();
    public static final int EBADF = Errno.EBADF.intValue();
    public static final int EEXIST = Errno.EEXIST.intValue();
    public static final int EINVAL = Errno.EINVAL.intValue();
    public static final int EPERM = Errno.EPERM.intValue();
    public static final int EACCES = Errno.EACCES.intValue();
    public static final int EISDIR = Errno.EISDIR.intValue();
    public static final int ENOTDIR = Errno.ENOTDIR.intValue();
    public static final int EFBIG = Errno.EFBIG.intValue();
    public static final int EOPNOTSUPP = Errno.EOPNOTSUPP.intValue();
    public static final int ENOTEMPTY = Errno.ENOTEMPTY.intValue();
    public static final int EINTR = Errno.EINTR.intValue();

    private static final ThreadLocal<Pointer> STAT_SCRATCH =
            ThreadLocal.withInitial(() -> Memory.allocateDirect(RUNTIME, STAT_SIZE));

    private Posix() {
    }

    public static int errno() {
        return RUNTIME.getLastError();
    }

    /** Throws the current errno, naming the call and path, when {@code result} is negative. */
    public static long check(long result, String call, String path) throws ErrnoException {
        if (result < 0) {
            throw new ErrnoException(errno(), call, path);
        }
        return result;
    }

    public static boolean isDirectory(int mode) {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public static boolean isRegular(int mode) {
        return (mode & S_IFMT) == S_IFREG;
    }

    /** The attributes of one backing entry (not following a final symlink). */
    public record Stat(long ino, int mode, long nlink, long size) {
        public boolean isDirectory() {
            return Posix.isDirectory(mode);
        }

        public boolean isRegular() {
            return Posix.isRegular(mode);
        }
    }

    public static Stat lstat(String path) throws ErrnoException {
        Pointer buf = STAT_SCRATCH.get();
        check(LIBC.lstat(path, buf), "lstat", path);
        return readStat(buf);
    }

    /** Like {@link #lstat} but answers null when the entry does not exist. */
    public static Stat lstatOrNull(String path) throws ErrnoException {
        Pointer buf = STAT_SCRATCH.get();
        if (LIBC.lstat(path, buf) < 0) {
            int errno = errno();
            if (errno == ENOENT) {
                return null;
            }
            throw new ErrnoException(errno, "lstat", path);
        }
        return readStat(buf);
    }

    public static Stat fstat(int fd) throws ErrnoException {
        Pointer buf = STAT_SCRATCH.get();
        check(LIBC.fstat(fd, buf), "fstat", "fd " + fd);
        return readStat(buf);
    }

    public static Stat readStat(Pointer buf) {
        return new Stat(buf.getLong(STAT_INO), buf.getInt(STAT_MODE), buf.getLong(STAT_NLINK),
                buf.getLong(STAT_SIZE_FIELD));
    }

    public static int open(String path, int flags, int mode) throws ErrnoException {
        return (int) check(LIBC.open(path, flags | O_CLOEXEC, mode), "open", path);
    }

    /** Closes quietly: a close error on a descriptor we only read or already synced changes nothing. */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            LIBC.close(fd);
        }
    }

    /** fsyncs a backing directory so the backing file system itself is as durable as the model says. */
    public static void fsyncDirectory(String path) throws ErrnoException {
        int fd = open(path, O_RDONLY | O_DIRECTORY, 0);
        try {
            check(LIBC.fsync(fd), "fsync", path);
        } finally {
            closeQuietly(fd);
        }
    }
}
