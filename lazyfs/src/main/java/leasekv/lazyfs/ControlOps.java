package leasekv.lazyfs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The fault-injection commands. Each answers one line, "ok key=value ..." or "error message". Power
 * loss and sync-all hold the file system's write lock, so no operation is half done while they run.
 */
public final class ControlOps {
    private final ReentrantReadWriteLock fsLock;
    private final FileTable table;
    private final Namespace namespace;
    private final Counters counters;
    /** A loss to strike at the next fsync (lose-at-next-fsync), or null. */
    private final AtomicReference<PartialLoss> armed = new AtomicReference<>();
    /** The power went at an fsync: every operation fails with EIO until the next mount. */
    private volatile boolean dead;

    ControlOps(ReentrantReadWriteLock fsLock, FileTable table, Namespace namespace, Counters counters) {
        this.fsLock = fsLock;
        this.table = table;
        this.namespace = namespace;
        this.counters = counters;
    }

    /** Runs one command line from the control socket. */
    public String execute(String command) {
        String[] words = command.trim().split("\\s+");
        try {
            if (words[0].equals("lose-unsynced") && words.length > 1) {
                return losePartially(parseLoss(words, false), false);
            }
            if (words[0].equals("lose-at-next-fsync")) {
                return arm(parseLoss(words, true));
            }
        } catch (IllegalArgumentException e) {
            return "error " + e.getMessage();
        }
        return switch (command.trim()) {
            case "lose-unsynced" -> loseUnsynced();
            case "sync-all" -> syncAll();
            case "stats" -> stats();
            case "ping" -> "ok pong";
            default -> "error unknown command '" + command.trim() + "' (want lose-unsynced [keep-prefix|tear] "
                    + "[seed=N], lose-at-next-fsync all|keep-prefix|tear [seed=N], sync-all or stats)";
        };
    }

    /**
     * {@code lose-unsynced keep-prefix|tear [seed=N]} or {@code lose-at-next-fsync all|keep-prefix|tear
     * [seed=N]} ({@code allowAll}); without a seed one is drawn (and reported).
     */
    static PartialLoss parseLoss(String[] words, boolean allowAll) {
        if (words.length < 2) {
            throw new IllegalArgumentException(words[0] + " needs a mode: all, keep-prefix or tear");
        }
        PartialLoss.Mode mode = PartialLoss.Mode.parse(words[1]);
        if (mode == PartialLoss.Mode.ALL && !allowAll) {
            throw new IllegalArgumentException("lose-unsynced takes keep-prefix or tear");
        }
        long seed = new Random().nextLong();
        for (int i = 2; i < words.length; i++) {
            if (!words[i].startsWith("seed=")) {
                throw new IllegalArgumentException("unknown argument '" + words[i] + "' (want seed=N)");
            }
            try {
                seed = Long.parseLong(words[i].substring(5));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("seed must be an integer, got '" + words[i].substring(5) + "'");
            }
        }
        return new PartialLoss(mode, seed);
    }

    /**
     * Power loss: every file's unsynced data, truncates and extensions are forgotten and every
     * namespace change not yet durable is undone. Call it only after the processes writing here died.
     */
    public String loseUnsynced() {
        Lock lock = fsLock.writeLock();
        lock.lock();
        try {
            armed.set(null);
            long bytes = 0;
            int files = 0;
            for (FileState state : table.all()) {
                if (state.hasPending()) {
                    files++;
                    bytes += state.dropUnsynced();
                }
            }
            int undone = namespace.undoAll();
            table.reapIdle();
            counters.losses.incrementAndGet();
            counters.lostBytes.addAndGet(bytes);
            String reply = "ok lost_page_bytes=" + bytes + " lost_files=" + files + " undone_ops=" + undone;
            Log.info("lose-unsynced: " + reply);
            return reply;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A power loss that keeps part of the unsynced data (see {@link PartialLoss}): each file, in inode
     * order, keeps what the seeded policy draws, made durable; namespace changes not yet durable are
     * undone as in {@link #loseUnsynced()}. Call it only after the processes writing here died.
     */
    public String losePartially(PartialLoss loss, boolean atFsync) {
        Lock lock = fsLock.writeLock();
        lock.lock();
        try {
            armed.set(null);
            if (atFsync) {
                dead = true; // before anything else can run: the power is gone
                counters.fsyncLosses.incrementAndGet();
            }
            long lostBytes = 0;
            long keptBytes = 0;
            int files = 0;
            int keptChanges = 0;
            int torn = 0;
            List<FileState> states = table.all();
            states.sort(Comparator.comparingLong(s -> s.ino));
            for (FileState state : states) {
                if (!state.hasPending()) {
                    continue;
                }
                files++;
                lostBytes += state.pendingBytes();
                PartialLoss.Survivors s = state.losePartially(loss);
                keptChanges += s.kept().size();
                keptBytes += s.kept().stream().mapToLong(UnsyncedChange::bytes).sum();
                torn += s.torn() ? 1 : 0;
            }
            int undone = namespace.undoAll();
            table.reapIdle();
            counters.losses.incrementAndGet();
            counters.tornWrites.addAndGet(torn);
            String reply = "ok mode=" + loss.mode().cliName() + " seed=" + loss.seed()
                    + (atFsync ? " at_fsync=1" : "") + " files=" + files
                    + " kept_changes=" + keptChanges + " kept_bytes=" + keptBytes + " torn_writes=" + torn
                    + " undone_ops=" + undone;
            Log.info("lose-unsynced: " + reply + " (held " + lostBytes + " bytes before)");
            return reply;
        } catch (ErrnoException e) {
            Log.warn("lose-unsynced " + loss.mode().cliName() + " failed: " + e.getMessage());
            return "error lose-unsynced failed: " + e.getMessage();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Arms a power loss that strikes at the next fsync (of any file or directory here): that fsync
     * fails, the loss keeps what {@code loss} draws of the unsynced data (the write the fsync was to
     * make durable included), and from then on every operation fails with EIO until the next mount,
     * as a disk whose power went in the middle of a flush. Any lose-unsynced disarms it.
     */
    public String arm(PartialLoss loss) {
        armed.set(loss);
        Log.info("armed: a " + loss.mode().cliName() + " power loss (seed " + loss.seed() + ") at the next fsync");
        return "ok armed mode=" + loss.mode().cliName() + " seed=" + loss.seed();
    }

    /** The armed loss, taken (so that only one fsync fires it), or null. */
    PartialLoss takeArmed() {
        return armed.getAndSet(null);
    }

    boolean dead() {
        return dead;
    }

    /**
     * Makes everything durable: every file is flushed and fsynced, every namespace change committed.
     * A file that fails is reported, and the others are still synced.
     */
    public String syncAll() {
        Lock lock = fsLock.writeLock();
        lock.lock();
        try {
            long bytes = 0;
            int files = 0;
            List<String> failures = new ArrayList<>();
            for (FileState state : table.all()) {
                try {
                    boolean pending = state.hasPending();
                    bytes += state.flush(true, false);
                    files += pending ? 1 : 0;
                } catch (ErrnoException e) {
                    failures.add(e.getMessage());
                }
            }
            int committed = namespace.commitAll();
            syncBackingFileSystem();
            table.reapIdle();
            counters.syncedBytes.addAndGet(bytes);
            if (!failures.isEmpty()) {
                Log.warn("sync-all: " + failures.size() + " files failed: " + failures);
                return "error sync-all failed for " + failures.size() + " files: " + failures.get(0);
            }
            return "ok synced_files=" + files + " synced_bytes=" + bytes + " committed_ops=" + committed;
        } catch (ErrnoException e) {
            Log.warn("sync-all failed: " + e.getMessage());
            return "error sync-all failed: " + e.getMessage();
        } finally {
            lock.unlock();
        }
    }

    private void syncBackingFileSystem() throws ErrnoException {
        int fd = Posix.open(namespace.root(), Posix.O_RDONLY | Posix.O_DIRECTORY, 0);
        try {
            Posix.check(Posix.LIBC.syncfs(fd), "syncfs", namespace.root());
        } finally {
            Posix.closeQuietly(fd);
        }
    }

    public String stats() {
        long pendingFiles = table.all().stream().filter(FileState::hasPending).count();
        return "ok pending_page_bytes=" + counters.pendingPageBytes.get()
                + " pending_change_bytes=" + counters.pendingChangeBytes.get()
                + " pending_files=" + pendingFiles
                + " pending_ops=" + namespace.pendingOps()
                + " open_handles=" + table.openHandles()
                + " namespace_durability=" + namespace.durability().cliName
                + " file_syncs=" + counters.fileSyncs.get()
                + " dir_syncs=" + counters.dirSyncs.get()
                + " synced_bytes=" + counters.syncedBytes.get()
                + " writeback_bytes=" + counters.writebackBytes.get()
                + " committed_ops=" + counters.committedOps.get()
                + " losses=" + counters.losses.get()
                + " lost_page_bytes=" + counters.lostBytes.get()
                + " undone_ops=" + counters.undoneOps.get()
                + " torn_writes=" + counters.tornWrites.get()
                + " armed=" + (armed.get() != null ? 1 : 0)
                + " dead=" + (dead ? 1 : 0)
                + " fsync_losses=" + counters.fsyncLosses.get();
    }
}
