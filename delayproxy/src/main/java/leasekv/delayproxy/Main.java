package leasekv.delayproxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar leasekv-delayproxy.jar --listen HOST:PORT --target HOST:PORT --rules FILE [--poll-ms 20]}
 *
 * <p>User-space packet delay for the harness (the kernel here has no tc netem): a TCP proxy whose
 * per-source delays come from a rules file that it re-reads every {@code --poll-ms}. Runs until
 * killed. Exit status 2 for bad options.
 */
public final class Main {
    static final String USAGE = "usage: delayproxy --listen HOST:PORT --target HOST:PORT --rules FILE [--poll-ms 20]";

    private Main() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> opts;
        InetSocketAddress listen;
        InetSocketAddress target;
        long pollMillis;
        try {
            opts = parse(List.of(argv));
            listen = address(opts, "--listen");
            target = address(opts, "--target");
            pollMillis = Long.parseLong(opts.getOrDefault("--poll-ms", "20"));
            if (pollMillis < 1) throw new IllegalArgumentException("--poll-ms must be at least 1");
            if (!opts.containsKey("--rules")) throw new IllegalArgumentException("--rules FILE is required");
        } catch (IllegalArgumentException e) {
            System.err.println("error " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        DelayRules rules = new DelayRules(Path.of(opts.get("--rules")));
        String first = rules.refresh();
        DelayProxy proxy = new DelayProxy(listen, target, rules);
        InetSocketAddress bound;
        try {
            bound = proxy.bind();
        } catch (IOException e) {
            System.err.println("error cannot listen on " + listen + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        log("listening on " + bound + ", forwarding to " + target + "; "
                + (first != null ? first : "rules " + DelayRules.describe(rules.table())));
        startRulesWatcher(rules, pollMillis);
        proxy.serve();
    }

    private static void startRulesWatcher(DelayRules rules, long pollMillis) {
        Thread t = new Thread(() -> {
            while (true) {
                String change = rules.refresh();
                if (change != null) log(change);
                try {
                    Thread.sleep(pollMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rules-watcher");
        t.setDaemon(true);
        t.start();
    }

    static Map<String, String> parse(List<String> args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            String k = args.get(i);
            if (!List.of("--listen", "--target", "--rules", "--poll-ms").contains(k)) {
                throw new IllegalArgumentException("unknown option '" + k + "'");
            }
            if (i + 1 >= args.size()) throw new IllegalArgumentException(k + " needs a value");
            opts.put(k, args.get(i + 1));
        }
        return opts;
    }

    static InetSocketAddress address(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) throw new IllegalArgumentException(key + " HOST:PORT is required");
        int colon = v.lastIndexOf(':');
        if (colon <= 0) throw new IllegalArgumentException(key + " takes HOST:PORT, got '" + v + "'");
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v.substring(colon + 1) + "' is not a port");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException(key + ": port " + port + " is out of range");
        return new InetSocketAddress(v.substring(0, colon), port);
    }

    static synchronized void log(String message) {
        System.out.println(Instant.now() + " INFO delayproxy " + message);
        System.out.flush();
    }
}
