package leasekv.lazyfs;

import java.util.ArrayList;
import java.util.List;
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

    ControlOps(ReentrantReadWriteLock fsLock, FileTable table, Namespace namespace, Counters counters) {
        this.fsLock = fsLock;
        this.table = table;
        this.namespace = namespace;
        this.counters = counters;
    }

    /** Runs one command line from the control socket. */
    public String execute(String command) {
        return switch (command.trim()) {
            case "lose-unsynced" -> loseUnsynced();
            case "sync-all" -> syncAll();
            case "stats" -> stats();
            case "ping" -> "ok pong";
            default -> "error unknown command '" + command.trim() + "' (want lose-unsynced, sync-all or stats)";
        };
    }

    /**
     * Power loss: every file's unsynced data, truncates and extensions are forgotten and every
     * namespace change not yet durable is undone. Call it only after the processes writing here died.
     */
    public String loseUnsynced() {
        Lock lock = fsLock.writeLock();
        lock.lock();
        try {
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
                + " undone_ops=" + counters.undoneOps.get();
    }
}
