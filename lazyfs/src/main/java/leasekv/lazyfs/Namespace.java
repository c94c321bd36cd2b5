package leasekv.lazyfs;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The directory tree. Every namespace change is applied to the backing directory at once (so lookups,
 * readdir and opens simply pass through) and recorded in the {@link Journal} with what it takes to
 * undo it: removed or replaced entries are moved (or hard-linked) into a hidden trash directory
 * instead of being deleted. A sync commits ops (their trash entries are deleted for good); a power loss
 * undoes the rest, newest first.
 *
 * <p>Mount paths are the FUSE paths ("/", "/a/b"); backing paths are absolute paths under the backing
 * root. The trash, {@value #TRASH_NAME} in the backing root, is invisible through the mount.
 */
final class Namespace {
    static final String TRASH_NAME = ".lazyfs-trash";
    private static final int EBUSY = jnr.constants.platform.Errno.EBUSY.intValue();

    private final String root;
    private final String trash;
    private final NamespaceDurability durability;
    private final Counters counters;
    private final int maxPendingOps;
    private final Journal journal = new Journal();
    private final ReentrantLock mutex = new ReentrantLock();
    private long nextSeq = 1;

    Namespace(String backingRoot, NamespaceDurability durability, Counters counters, int maxPendingOps) {
        this.root = backingRoot;
        this.trash = backingRoot + "/" + TRASH_NAME;
        this.durability = durability;
        this.counters = counters;
        this.maxPendingOps = maxPendingOps;
    }

    NamespaceDurability durability() {
        return durability;
    }

    String root() {
        return root;
    }

    /**
     * Empties the trash left by a lazyfs process that died without deciding its ops (their removals
     * are taken as durable) and makes sure the trash exists. Answers how many entries were purged.
     */
    int prepareTrash() throws ErrnoException {
        int purged = 0;
        Posix.Stat stat = Posix.lstatOrNull(trash);
        if (stat != null && !stat.isDirectory()) {
            throw new ErrnoException(Posix.EEXIST, "mkdir", trash + " (exists and is not a directory)");
        }
        if (stat == null) {
            Posix.check(Posix.LIBC.mkdir(trash, 0700), "mkdir", trash);
        } else {
            for (String name : BackingFiles.list(trash)) {
                BackingFiles.deleteRecursively(trash + "/" + name);
                purged++;
            }
        }
        return purged;
    }

    static boolean isHidden(String mountPath) {
        return mountPath.startsWith("/" + TRASH_NAME)
                && (mountPath.length() == TRASH_NAME.length() + 1 || mountPath.charAt(TRASH_NAME.length() + 1) == '/');
    }

    /** The backing path of a mount path; the trash and anything in it do not exist. */
    String backingPath(String mountPath) throws ErrnoException {
        if (mountPath == null || isHidden(mountPath)) {
            throw new ErrnoException(Posix.ENOENT, "lookup", String.valueOf(mountPath));
        }
        return "/".equals(mountPath) ? root : root + mountPath;
    }

    /** Opens an existing regular file for lazyfs's own use (read and write when permitted). */
    int openExisting(String mountPath) throws ErrnoException {
        String path = backingPath(mountPath);
        int fd = Posix.LIBC.open(path, Posix.O_RDWR | Posix.O_CLOEXEC, 0);
        if (fd < 0 && Posix.errno() == Posix.EACCES) {
            fd = Posix.LIBC.open(path, Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
        }
        return (int) Posix.check(fd, "open", path);
    }

    /** Creates a regular file (or opens it if it exists and O_EXCL was not asked for); answers an fd. */
    int createFile(String mountPath, int mode, int openFlags, int uid, int gid) throws ErrnoException {
        Entry entry = entry(mountPath);
        mutex.lock();
        try {
            long dirIno = Posix.lstat(entry.parent).ino();
            int fd = Posix.LIBC.open(entry.path, Posix.O_CREAT | Posix.O_EXCL | Posix.O_RDWR | Posix.O_CLOEXEC,
                    mode & 07777);
            if (fd < 0) {
                int errno = Posix.errno();
                if (errno == Posix.EEXIST && (openFlags & Posix.O_EXCL) == 0) {
                    return openExisting(mountPath);
                }
                throw new ErrnoException(errno, "create", entry.path);
            }
            if (uid != 0 || gid != 0) {
                Posix.LIBC.fchown(fd, uid, gid);
            }
            record(NamespaceOp.create(nextSeq++, dirIno, entry.name, false, "create " + mountPath));
            return fd;
        } finally {
            mutex.unlock();
        }
    }

    void mkdir(String mountPath, int mode, int uid, int gid) throws ErrnoException {
        Entry entry = entry(mountPath);
        mutex.lock();
        try {
            long dirIno = Posix.lstat(entry.parent).ino();
            Posix.check(Posix.LIBC.mkdir(entry.path, mode & 07777), "mkdir", entry.path);
            if (uid != 0 || gid != 0) {
                Posix.LIBC.lchown(entry.path, uid, gid);
            }
            record(NamespaceOp.create(nextSeq++, dirIno, entry.name, true, "mkdir " + mountPath));
        } finally {
            mutex.unlock();
        }
    }

    void symlink(String target, String mountPath, int uid, int gid) throws ErrnoException {
        Entry entry = entry(mountPath);
        mutex.lock();
        try {
            long dirIno = Posix.lstat(entry.parent).ino();
            Posix.check(Posix.LIBC.symlink(target, entry.path), "symlink", entry.path);
            if (uid != 0 || gid != 0) {
                Posix.LIBC.lchown(entry.path, uid, gid);
            }
            record(NamespaceOp.create(nextSeq++, dirIno, entry.name, false, "symlink " + mountPath));
        } finally {
            mutex.unlock();
        }
    }

    void link(String existingMountPath, String newMountPath) throws ErrnoException {
        String existing = backingPath(existingMountPath);
        Entry entry = entry(newMountPath);
        mutex.lock();
        try {
            long dirIno = Posix.lstat(entry.parent).ino();
            Posix.check(Posix.LIBC.link(existing, entry.path), "link", entry.path);
            record(NamespaceOp.create(nextSeq++, dirIno, entry.name, false,
                    "link " + existingMountPath + " " + newMountPath));
        } finally {
            mutex.unlock();
        }
    }

    void unlink(String mountPath) throws ErrnoException {
        Entry entry = entry(mountPath);
        mutex.lock();
        try {
            if (Posix.lstat(entry.path).isDirectory()) {
                throw new ErrnoException(Posix.EISDIR, "unlink", entry.path);
            }
            long dirIno = Posix.lstat(entry.parent).ino();
            String trashName = trashName();
            Posix.check(Posix.LIBC.rename(entry.path, trash + "/" + trashName), "unlink", entry.path);
            record(NamespaceOp.remove(nextSeq++, dirIno, entry.name, trashName, 0, "unlink " + mountPath));
        } finally {
            mutex.unlock();
        }
    }

    void rmdir(String mountPath) throws ErrnoException {
        Entry entry = entry(mountPath);
        mutex.lock();
        try {
            Posix.Stat stat = Posix.lstat(entry.path);
            if (!stat.isDirectory()) {
                throw new ErrnoException(Posix.ENOTDIR, "rmdir", entry.path);
            }
            if (!BackingFiles.isEmptyDirectory(entry.path)) {
                throw new ErrnoException(Posix.ENOTEMPTY, "rmdir", entry.path);
            }
            long dirIno = Posix.lstat(entry.parent).ino();
            String trashName = trashName();
            Posix.check(Posix.LIBC.rename(entry.path, trash + "/" + trashName), "rmdir", entry.path);
            record(NamespaceOp.remove(nextSeq++, dirIno, entry.name, trashName, stat.ino(), "rmdir " + mountPath));
        } finally {
            mutex.unlock();
        }
    }

    /** rename(2), keeping a replaced target in the trash so a power loss can bring it back. */
    void rename(String fromMountPath, String toMountPath) throws ErrnoException {
        Entry from = entry(fromMountPath);
        Entry to = entry(toMountPath);
        mutex.lock();
        try {
            Posix.Stat source = Posix.lstat(from.path);
            Posix.Stat target = Posix.lstatOrNull(to.path);
            if (target != null && target.ino() == source.ino()) {
                return; // both names are links to one inode: rename(2) does nothing
            }
            if (source.isDirectory() && (to.path + "/").startsWith(from.path + "/")) {
                throw new ErrnoException(Posix.EINVAL, "rename", from.path + " into itself");
            }
            long fromDirIno = Posix.lstat(from.parent).ino();
            long toDirIno = Posix.lstat(to.parent).ino();
            String trashName = null;
            long displacedDirIno = 0;
            if (target == null) {
                Posix.check(Posix.LIBC.rename(from.path, to.path), "rename", from.path);
            } else {
                trashName = trashName();
                displacedDirIno = replace(source, target, from.path, to.path, trash + "/" + trashName);
            }
            record(NamespaceOp.rename(nextSeq++, fromDirIno, from.name, toDirIno, to.name, trashName,
                    source.isDirectory(), displacedDirIno, "rename " + fromMountPath + " " + toMountPath));
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Renames over an existing target after keeping it in the trash: a file is hard-linked there first
     * (the rename itself stays atomic), an empty directory is moved there. Answers the displaced
     * directory's inode, or 0 when the target was not a directory.
     */
    private long replace(Posix.Stat source, Posix.Stat target, String from, String to, String keep)
            throws ErrnoException {
        if (source.isDirectory() && !target.isDirectory()) {
            throw new ErrnoException(Posix.ENOTDIR, "rename", to);
        }
        if (!source.isDirectory() && target.isDirectory()) {
            throw new ErrnoException(Posix.EISDIR, "rename", to);
        }
        if (target.isDirectory()) {
            if (!BackingFiles.isEmptyDirectory(to)) {
                throw new ErrnoException(Posix.ENOTEMPTY, "rename", to);
            }
            Posix.check(Posix.LIBC.rename(to, keep), "rename", to);
            if (Posix.LIBC.rename(from, to) < 0) {
                int errno = Posix.errno();
                Posix.LIBC.rename(keep, to);
                throw new ErrnoException(errno, "rename", from);
            }
            return target.ino();
        }
        Posix.check(Posix.LIBC.link(to, keep), "link", to);
        if (Posix.LIBC.rename(from, to) < 0) {
            int errno = Posix.errno();
            Posix.LIBC.unlink(keep);
            throw new ErrnoException(errno, "rename", from);
        }
        return 0;
    }

    /** Opens a backing directory for readdir and fsync; answers the descriptor. */
    int openDirectory(String mountPath) throws ErrnoException {
        return Posix.open(backingPath(mountPath), Posix.O_RDONLY | Posix.O_DIRECTORY, 0);
    }

    /** Whether the directory open as {@code fd} is the backing root (whose listing hides the trash). */
    boolean isRoot(long dirIno) throws ErrnoException {
        return Posix.lstat(root).ino() == dirIno;
    }

    /**
     * An application fsynced the directory open as {@code fd}: commit what the model says, then fsync
     * the backing directory. Answers the ops committed.
     */
    int fsyncDirectory(int fd) throws ErrnoException {
        long ino = Posix.fstat(fd).ino();
        int committed;
        mutex.lock();
        try {
            committed = commit(durability == NamespaceDurability.DIR_FSYNC
                    ? journal.takeForDirectory(ino) : journal.takeAll());
        } finally {
            mutex.unlock();
        }
        Posix.check(Posix.LIBC.fsync(fd), "fsync", "directory inode " + ino);
        return committed;
    }

    /** An application fsynced a file: with {@link NamespaceDurability#ANY_FSYNC} that commits everything. */
    int afterFileSync() throws ErrnoException {
        if (durability != NamespaceDurability.ANY_FSYNC) {
            return 0;
        }
        mutex.lock();
        try {
            return commit(journal.takeAll());
        } finally {
            mutex.unlock();
        }
    }

    int commitAll() throws ErrnoException {
        mutex.lock();
        try {
            return commit(journal.takeAll());
        } finally {
            mutex.unlock();
        }
    }

    int pendingOps() {
        mutex.lock();
        try {
            return journal.size();
        } finally {
            mutex.unlock();
        }
    }

    /** Power loss: undoes every pending op, newest first. Answers how many were undone. */
    int undoAll() {
        mutex.lock();
        try {
            List<NamespaceOp> ops = journal.takeAllNewestFirst();
            DirectoryIndex directories = new DirectoryIndex(root, trash);
            for (NamespaceOp op : ops) {
                Log.info("power loss undoes " + op);
                try {
                    undo(op, directories);
                } catch (ErrnoException e) {
                    Log.warn("could not undo " + op + ": " + e.getMessage());
                    discardTrash(op);
                }
            }
            counters.undoneOps.addAndGet(ops.size());
            return ops.size();
        } finally {
            mutex.unlock();
        }
    }

    private void undo(NamespaceOp op, DirectoryIndex directories) throws ErrnoException {
        String dir = directories.path(op.dirIno);
        switch (op.kind) {
            case CREATE -> {
                if (dir != null) {
                    String path = dir + "/" + op.name;
                    Posix.Stat stat = Posix.lstatOrNull(path);
                    if (stat != null && stat.isDirectory()) {
                        BackingFiles.deleteRecursively(path);
                        directories.invalidate();
                    } else if (stat != null) {
                        Posix.check(Posix.LIBC.unlink(path), "unlink", path);
                    }
                }
            }
            case REMOVE -> {
                if (dir == null) {
                    discardTrash(op);
                } else {
                    String path = dir + "/" + op.name;
                    Posix.check(Posix.LIBC.rename(trash + "/" + op.trashName, path), "rename", path);
                    if (op.directory) {
                        directories.invalidate();
                    }
                }
            }
            case RENAME -> {
                String toDir = directories.path(op.toDirIno);
                if (dir == null || toDir == null) {
                    discardTrash(op);
                    return;
                }
                String to = toDir + "/" + op.toName;
                Posix.check(Posix.LIBC.rename(to, dir + "/" + op.name), "rename", to);
                if (op.trashName != null) {
                    Posix.check(Posix.LIBC.rename(trash + "/" + op.trashName, to), "rename", to);
                }
                if (op.directory) {
                    directories.invalidate();
                }
            }
            default -> throw new IllegalStateException("unknown op kind " + op.kind);
        }
    }

    private int commit(List<NamespaceOp> ops) throws ErrnoException {
        for (NamespaceOp op : ops) {
            discardTrash(op);
        }
        counters.committedOps.addAndGet(ops.size());
        return ops.size();
    }

    private void discardTrash(NamespaceOp op) {
        if (op.trashName != null) {
            try {
                BackingFiles.deleteRecursively(trash + "/" + op.trashName);
            } catch (ErrnoException e) {
                Log.warn("could not delete trash entry of " + op + ": " + e.getMessage());
            }
        }
    }

    private void record(NamespaceOp op) throws ErrnoException {
        journal.add(op);
        if (journal.size() > maxPendingOps) {
            // A bounded journal, like ext4's periodic commit: the oldest tenth becomes durable.
            int committed = commit(journal.takeOldest(Math.max(1, maxPendingOps / 10)));
            Log.info("namespace journal over " + maxPendingOps + " pending ops: committed the oldest " + committed);
        }
    }

    private String trashName() {
        return Long.toString(nextSeq);
    }

    private Entry entry(String mountPath) throws ErrnoException {
        String path = backingPath(mountPath);
        int slash = path.lastIndexOf('/');
        if ("/".equals(mountPath) || slash <= root.length() - 1) {
            throw new ErrnoException(EBUSY, "change", "the mount root");
        }
        return new Entry(path, path.substring(0, slash), path.substring(slash + 1));
    }

    private record Entry(String path, String parent, String name) {
    }
}
