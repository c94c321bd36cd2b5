package leasekv.lazyfs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A lazyfs mount in a fresh temporary directory for one test, with the power-loss fault as the
 * harness performs it. {@link #close()} always unmounts (also lazily, also when a test failed) and
 * deletes the directories.
 */
final class FuseTestMount implements AutoCloseable {
    final Path root;
    final Path backing;
    final Path mountPoint;
    private final MountConfig config;
    private Mount mount;

    private FuseTestMount(NamespaceDurability durability, long maxPendingBytes) throws IOException {
        this.root = Files.createTempDirectory("lazyfs-test-");
        this.backing = root.resolve("backing");
        this.mountPoint = root.resolve("mnt");
        this.config = new MountConfig(backing, mountPoint, durability, maxPendingBytes,
                MountConfig.DEFAULT_MAX_PENDING_OPS, false);
        try {
            this.mount = Mount.start(config);
        } catch (IOException | RuntimeException e) {
            deleteRoot();
            throw e;
        }
    }

    /** Skips the calling test unless this machine can mount FUSE file systems. */
    static void assumeFuse() {
        assumeTrue(fuseUsable(), "skipped: FUSE tests need root, a usable /dev/fuse, libfuse.so.2 and fusermount");
    }

    static boolean fuseUsable() {
        return Mount.isRoot()
                && Files.isReadable(Path.of("/dev/fuse")) && Files.isWritable(Path.of("/dev/fuse"))
                && (Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libfuse.so.2"))
                    || Files.exists(Path.of("/lib/x86_64-linux-gnu/libfuse.so.2")))
                && (Files.isExecutable(Path.of("/usr/bin/fusermount")) || Files.isExecutable(Path.of("/bin/fusermount")));
    }

    static FuseTestMount create(NamespaceDurability durability) throws IOException {
        return create(durability, MountConfig.DEFAULT_MAX_PENDING_BYTES);
    }

    static FuseTestMount create(NamespaceDurability durability, long maxPendingBytes) throws IOException {
        assumeFuse();
        return new FuseTestMount(durability, maxPendingBytes);
    }

    static FuseTestMount create() throws IOException {
        return create(NamespaceDurability.DEFAULT);
    }

    Path path(String relative) {
        return mountPoint.resolve(relative);
    }

    ControlOps control() {
        return mount.control();
    }

    /** The harness's power loss: drop everything unsynced, unmount, mount again on the same backing. */
    String powerLoss() throws IOException {
        String reply = mount.control().loseUnsynced();
        remount();
        return reply;
    }

    /** A clean unmount (which syncs) and a new mount. */
    void remount() throws IOException {
        mount.unmount(10_000);
        mount = Mount.start(config);
    }

    private void deleteRoot() throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (mount != null) {
                mount.unmount(10_000);
            }
        } finally {
            if (Unmounter.isMounted(mountPoint)) {
                Unmounter.unmount(mountPoint);
            }
            if (!Unmounter.isMounted(mountPoint)) {
                deleteRoot();
            }
        }
    }
}
