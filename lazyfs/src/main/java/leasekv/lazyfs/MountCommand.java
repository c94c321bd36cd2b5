package leasekv.lazyfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code lazyfs mount}: mounts, serves the control socket, and stays in the foreground until the mount
 * ends. SIGTERM or Ctrl-C unmount it (lazily if files are still open) after syncing pending data.
 */
final class MountCommand {
    private static final long SHUTDOWN_WAIT_MILLIS = 20_000;
    /** sun_path in struct sockaddr_un holds 108 bytes including the terminating NUL. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;

    private MountCommand() {
    }

    /** Answers the exit status, or -1 when the JVM is already shutting down (a signal) and must not exit. */
    static int run(List<String> argv) {
        MountConfig config;
        Path control;
        try {
            Args args = Args.parse(argv,
                    Set.of("--backing", "--mount", "--control", "--namespace-durability", "--max-pending-mib",
                            "--max-pending-ops"),
                    Set.of("--debug"));
            if (!args.words.isEmpty()) {
                throw new Args.UsageException("unexpected argument " + args.words.get(0));
            }
            control = Path.of(args.required("--control")).toAbsolutePath().normalize();
            if (control.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
                throw new Args.UsageException("--control path is longer than " + MAX_SOCKET_PATH_BYTES
                        + " bytes, the limit of a Unix socket: " + control);
            }
            NamespaceDurability durability;
            try {
                durability = NamespaceDurability.parse(args.optional("--namespace-durability", NamespaceDurability.DEFAULT.cliName));
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException(e.getMessage());
            }
            long maxPendingMib = args.positiveLong("--max-pending-mib", MountConfig.DEFAULT_MAX_PENDING_BYTES >> 20);
            long maxPendingOps = args.positiveLong("--max-pending-ops", MountConfig.DEFAULT_MAX_PENDING_OPS);
            config = new MountConfig(Path.of(args.required("--backing")), Path.of(args.required("--mount")),
                    durability, maxPendingMib << 20, (int) Math.min(Integer.MAX_VALUE, maxPendingOps),
                    args.flag("--debug"));
        } catch (Args.UsageException e) {
            System.err.println("error " + e.getMessage() + "\n" + Main.USAGE);
            return 2;
        }
        return mountAndServe(config, control);
    }

    private static int mountAndServe(MountConfig config, Path control) {
        Mount mount;
        try {
            mount = Mount.start(config);
        } catch (IOException e) {
            Log.error("cannot mount: " + e.getMessage(), null);
            return 1;
        }
        ControlServer server = new ControlServer(control, mount.control());
        try {
            server.start();
        } catch (IOException e) {
            Log.error("cannot serve the control socket: " + e.getMessage(), null);
            unmountQuietly(mount);
            return 1;
        }
        AtomicBoolean signalled = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (!mount.awaitExit(0)) { // still mounted: SIGTERM, SIGINT or SIGHUP
                    signalled.set(true);
                    // Sync first: if files are still open the unmount is lazy and may not finish in time.
                    Log.info("signal: syncing and unmounting " + config.mountPoint() + ": "
                            + mount.control().syncAll());
                    unmountQuietly(mount);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.close();
        }, "lazyfs-shutdown"));
        Log.info("mounted " + config.backing() + " on " + config.mountPoint() + ", control socket " + control
                + ", namespace durability " + config.durability().cliName);
        try {
            mount.awaitExit(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
        Log.info("unmounted " + config.mountPoint());
        return signalled.get() ? -1 : 0;
    }

    private static void unmountQuietly(Mount mount) {
        try {
            Log.info(mount.config().mountPoint() + ": " + mount.unmount(SHUTDOWN_WAIT_MILLIS));
        } catch (IOException e) {
            Log.warn("unmount failed: " + e.getMessage());
        }
    }
}
