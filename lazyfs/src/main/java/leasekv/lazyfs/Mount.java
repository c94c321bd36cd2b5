package leasekv.lazyfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One live lazyfs mount in this process: {@link #start} checks the directories, mounts and waits until
 * the kernel connected; {@link #unmount} ends it (pending data are synced first, as a real unmount
 * does). Used by the CLI and by tests.
 */
public final class Mount implements AutoCloseable {
    private static final long READY_TIMEOUT_MILLIS = 15_000;
    private final MountConfig config;
    private final LazyFs fs;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch exited = new CountDownLatch(1);
    private volatile Throwable failure;

    private Mount(MountConfig config) {
        this.config = config;
        this.fs = new LazyFs(config.backing(), config.durability(), config.maxPendingBytes(), config.maxPendingOps());
        fs.onReady(ready::countDown);
    }

    /** Validates the directories, mounts, and returns once the mount is usable. */
    public static Mount start(MountConfig config) throws IOException {
        checkDirectories(config);
        Mount mount = new Mount(config);
        try {
            int purged = mount.fs.prepareBacking();
            if (purged > 0) {
                Log.info("purged " + purged + " entries from the trash of an earlier lazyfs process that died");
            }
        } catch (ErrnoException e) {
            throw new IOException("cannot prepare backing directory " + config.backing() + ": " + e.getMessage(), e);
        }
        mount.launch();
        return mount;
    }

    public ControlOps control() {
        return fs.control();
    }

    public MountConfig config() {
        return config;
    }

    private void launch() throws IOException {
        Thread thread = new Thread(() -> {
            try {
                fs.mount(config.mountPoint(), true, config.debug(), fuseOptions());
            } catch (Throwable t) {
                failure = t;
            } finally {
                fs.markUnmounted();
                exited.countDown();
            }
        }, "lazyfs-fuse-main");
        thread.setDaemon(true);
        thread.start();
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        try {
            while (!ready.await(20, TimeUnit.MILLISECONDS)) {
                if (exited.getCount() == 0) {
                    throw new IOException("mount of " + config.mountPoint() + " failed"
                            + (failure == null ? "" : ": " + failure.getMessage() + causeOf(failure)));
                }
                if (System.currentTimeMillis() > deadline) {
                    Unmounter.unmount(config.mountPoint());
                    throw new IOException("mount of " + config.mountPoint() + " not ready after "
                            + READY_TIMEOUT_MILLIS + " ms");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while mounting " + config.mountPoint(), e);
        }
    }

    private static String causeOf(Throwable t) {
        return t.getCause() == null ? "" : " (" + t.getCause().getMessage() + ")";
    }

    /**
     * direct_io: no kernel page cache, so every read and write reaches us and nothing the kernel cached
     * can outlive a power loss. Zero entry and attribute timeouts: sizes and names always come from us.
     * hard_remove: unlinking an open file really unlinks it (libfuse would otherwise rename it to a
     * visible .fuse_hidden file). use_ino: hard links show one inode number.
     */
    private String[] fuseOptions() {
        List<String> options = new ArrayList<>(List.of("fsname=lazyfs", "subtype=lazyfs", "direct_io", "use_ino",
                "hard_remove", "big_writes", "max_write=131072", "entry_timeout=0", "negative_timeout=0",
                "attr_timeout=0", "default_permissions"));
        if (isRoot()) {
            options.add("allow_other"); // the node may run as another user; default_permissions still applies
        }
        return new String[] {"-o", String.join(",", options)};
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Blocks until the mount ends (unmounted by anyone); answers whether it ended within the timeout. */
    public boolean awaitExit(long timeoutMillis) throws InterruptedException {
        return exited.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Unmounts (lazily if busy) and waits up to {@code timeoutMillis} for the FUSE loop to end. */
    public String unmount(long timeoutMillis) throws IOException {
        String how = Unmounter.unmount(config.mountPoint());
        try {
            if (!awaitExit(timeoutMillis)) {
                return how + " (still busy after " + timeoutMillis + " ms: files are open in it)";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return how;
    }

    @Override
    public void close() throws IOException {
        unmount(10_000);
    }

    private static void checkDirectories(MountConfig config) throws IOException {
        Path backing = config.backing();
        Path mountPoint = config.mountPoint();
        if (!Files.isReadable(Path.of("/dev/fuse")) || !Files.isWritable(Path.of("/dev/fuse"))) {
            throw new IOException("/dev/fuse is missing or not accessible (needs root or the fuse group)");
        }
        if (Unmounter.isMounted(mountPoint)) {
            throw new IOException("--mount " + mountPoint + " is already a mount point"
                    + " (a dead lazyfs? run: bin/lazyfs umount --mount " + mountPoint + ")");
        }
        Files.createDirectories(backing);
        Files.createDirectories(mountPoint);
        if (!Files.isDirectory(backing)) {
            throw new IOException("--backing " + backing + " is not a directory");
        }
        Path realBacking = backing.toRealPath();
        Path realMount = mountPoint.toRealPath();
        if (realBacking.startsWith(realMount) || realMount.startsWith(realBacking)) {
            throw new IOException("--backing " + realBacking + " and --mount " + realMount
                    + " must not contain one another");
        }
        try (var entries = Files.list(mountPoint)) {
            if (entries.findAny().isPresent()) {
                throw new IOException("--mount " + mountPoint + " is not empty: whatever is in it would be hidden");
            }
        }
    }
}
