package leasekv.lazyfs;

import java.util.Arrays;
import java.util.List;

import leasekv.lazyfs.bench.ThroughputBench;

/** {@code bin/lazyfs}: mount, ctl, umount and bench. */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage:",
            "  lazyfs mount --backing DIR --mount DIR --control SOCKET_PATH",
            "               [--namespace-durability any-fsync|dir-fsync] [--max-pending-mib 256]",
            "               [--max-pending-ops 100000] [--debug]",
            "      runs in the foreground until unmounted (SIGTERM/Ctrl-C unmount cleanly)",
            "  lazyfs ctl --control SOCKET_PATH lose-unsynced [keep-prefix|tear] [seed=N]|sync-all|stats|ping [--timeout-seconds 60]",
            "  lazyfs ctl --control SOCKET_PATH lose-at-next-fsync all|keep-prefix|tear [seed=N]",
            "      prints 'ok ...' (exit 0) or 'error ...' (exit 1)",
            "  lazyfs umount --mount DIR",
            "      unmounts a live or dead (killed) lazyfs mount: fusermount -u, then -uz",
            "  lazyfs bench --dir DIR [--seconds 5]",
            "      prints append+fdatasync, bulk write and read throughput measured in DIR");

    private Main() {
    }

    public static void main(String[] argv) {
        List<String> args = Arrays.asList(argv);
        String command = args.isEmpty() ? "--help" : args.get(0);
        List<String> rest = args.subList(Math.min(1, args.size()), args.size());
        int status = switch (command) {
            case "mount" -> MountCommand.run(rest);
            case "ctl" -> CtlCommand.run(rest);
            case "umount", "unmount" -> UmountCommand.run(rest);
            case "bench" -> ThroughputBench.run(rest);
            case "--help", "-h", "help" -> {
                System.out.println(USAGE);
                yield 0;
            }
            default -> {
                System.err.println("error unknown command '" + command + "'\n" + USAGE);
                yield 2;
            }
        };
        if (status >= 0) {
            System.exit(status);
        }
    }
}
