package leasekv.lazyfs;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code lazyfs ctl}: sends one command to a mount's control socket and prints the reply line. */
final class CtlCommand {
    private static final Set<String> COMMANDS = Set.of("lose-unsynced", "lose-at-next-fsync", "sync-all", "stats", "ping");
    /** Commands that take arguments (a loss mode, a seed). */
    private static final Set<String> WITH_ARGUMENTS = Set.of("lose-unsynced", "lose-at-next-fsync");

    private CtlCommand() {
    }

    static int run(List<String> argv) {
        try {
            Args args = Args.parse(argv, Set.of("--control", "--timeout-seconds"), Set.of());
            Path socket = Path.of(args.required("--control"));
            long timeoutSeconds = args.positiveLong("--timeout-seconds", 60);
            if (args.words.isEmpty() || !COMMANDS.contains(args.words.get(0))
                    || (args.words.size() > 1 && !WITH_ARGUMENTS.contains(args.words.get(0)))) {
                throw new Args.UsageException("want one command of lose-unsynced [keep-prefix|tear] [seed=N], "
                        + "lose-at-next-fsync all|keep-prefix|tear [seed=N], sync-all, stats, ping; got " + args.words);
            }
            String reply = send(socket, String.join(" ", args.words), timeoutSeconds);
            System.out.println(reply);
            return reply.startsWith("ok") ? 0 : 1;
        } catch (Args.UsageException e) {
            System.out.println("error " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.out.println("error " + e.getMessage());
            return 1;
        }
    }

    /** Sends {@code command}; answers the reply line. A watchdog ends a hung exchange. */
    static String send(Path socket, String command, long timeoutSeconds) throws IOException {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(timeoutSeconds * 1000);
                System.out.println("error no reply from " + socket + " within " + timeoutSeconds + " s");
                System.exit(1);
            } catch (InterruptedException done) {
                // replied in time
            }
        }, "lazyfs-ctl-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new IOException("cannot connect to control socket " + socket + " (is lazyfs mounted?): " + e.getMessage());
            }
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteBuffer reply = ByteBuffer.allocate(4096);
            while (reply.hasRemaining() && channel.read(reply) >= 0) {
                // read until the server closes
            }
            String text = new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? "error empty reply from " + socket : text;
        } finally {
            watchdog.interrupt();
        }
    }
}
