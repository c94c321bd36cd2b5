package leasekv.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A blocking client for the leasekv store (RESP over one TCP connection, no dependencies).
 *
 * <pre>{@code
 * LeaseKvClient c = LeaseKvClient.builder()
 *     .nodes(List.of("10.77.0.11:6379", "10.77.0.12:6379"))
 *     .pinned(false).requestTimeoutMillis(1000).clientId("h-12").build();
 * c.set("k", "v"); String v = c.get("k");
 * }</pre>
 *
 * <p><b>Writes</b> (set, cas, del, rpush) are sent as {@code REQ <clientId> <seq> CMD ...} with a fresh
 * seq per operation; retries of that operation (after a timeout, a broken connection, a redirect,
 * TIMEOUT or UNCERTAIN) reuse the seq, so the store applies it at most once. Sequence numbers start at
 * {@code wallClockMillis << 20} and increase by one per write, so a client re-created with the same id
 * keeps increasing. Two live clients must not share an id.
 *
 * <p><b>Failures</b> throw {@link DefiniteFailureException} (it did not happen) or
 * {@link IndeterminateException} (it may have happened); see {@link RequestRunner} for the retry rules.
 * Reads never fail indeterminately: they have no effect.
 *
 * <p><b>Threads.</b> Thread-safe, but every operation holds the client's lock for its whole duration
 * (one connection, one request at a time). Give each concurrent worker its own client.
 */
public final class LeaseKvClient implements AutoCloseable {
    private final RequestRunner runner;
    private final String clientId;
    private final AtomicLong nextSeq = new AtomicLong(System.currentTimeMillis() << 20);

    private LeaseKvClient(Builder b) {
        List<NodeAddress> nodes = new ArrayList<>();
        for (String node : b.nodes) {
            nodes.add(NodeAddress.parse(node));
        }
        this.runner = new RequestRunner(nodes, b.pinned, b.requestTimeoutMillis, b.connectTimeoutMillis,
                b.operationTimeoutMillis > 0 ? b.operationTimeoutMillis : 3 * b.requestTimeoutMillis);
        this.clientId = b.clientId != null ? b.clientId : "c-" + UUID.randomUUID().toString().substring(0, 13);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String clientId() {
        return clientId;
    }

    /** The value, or null when the key is absent. */
    public synchronized String get(String key) {
        return (String) read(List.of("GET", key));
    }

    /** A GET that also says which node served it, in which term, how, and at which applied index. */
    public synchronized ReadResult read(String key) {
        List<?> r = array(read(List.of("READ", key)), 5, "READ");
        return new ReadResult((String) r.get(0), (String) r.get(1), (Long) r.get(2), (String) r.get(3),
                (Long) r.get(4));
    }

    /** The elements from start to stop inclusive (negative indices count from the end). */
    @SuppressWarnings("unchecked")
    public synchronized List<String> lrange(String key, long start, long stop) {
        return (List<String>) (List<?>) array(read(List.of("LRANGE", key, Long.toString(start),
                Long.toString(stop))), -1, "LRANGE");
    }

    public synchronized void set(String key, String value) {
        write("SET", key, value);
    }

    /** True if the value equalled {@code expected} and was replaced by {@code replacement}. */
    public synchronized boolean cas(String key, String expected, String replacement) {
        return (Long) write("CAS", key, expected, replacement) == 1L;
    }

    /** 1 if the key existed, else 0. */
    public synchronized long del(String key) {
        return (Long) write("DEL", key);
    }

    /** Appends the values and returns the new length of the list. */
    public synchronized long rpush(String key, String... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("rpush needs at least one value");
        }
        String[] args = new String[values.length + 2];
        args[0] = "RPUSH";
        args[1] = key;
        System.arraycopy(values, 0, args, 2, values.length);
        return (Long) write(args);
    }

    /** The role of the node this client is connected to (the first node, when pinned). */
    public synchronized Role role() {
        List<?> r = array(read(List.of("ROLE")), 7, "ROLE");
        return new Role((String) r.get(0), (String) r.get(1), (Long) r.get(2), (String) r.get(3),
                (String) r.get(4), (Long) r.get(5), (Long) r.get(6));
    }

    public synchronized String info() {
        return (String) read(List.of("INFO"));
    }

    public synchronized String info(String section) {
        return (String) read(List.of("INFO", section));
    }

    /**
     * Any command, e.g. {@code command("ADMIN", "DIGEST")}. Returns String, Long, {@code List<Object>} or
     * null. Follows redirects unless pinned, but never re-sends once the command may have arrived, since
     * it may not be idempotent: a timeout then throws {@link IndeterminateException}.
     */
    public synchronized Object command(String... args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("command needs at least the command name");
        }
        return runner.run(Arrays.asList(args), RequestRunner.Effect.UNKNOWN);
    }

    /**
     * How often the last operation (even one that threw) was sent again after an attempt that may
     * have been applied: a write re-sent this way is applied once only thanks to the store's REQ
     * de-duplication. Tests count them to know they exercised it.
     */
    public synchronized int resendsOfLastOperation() {
        return runner.resendsOfLastRun();
    }

    @Override
    public synchronized void close() {
        runner.close();
    }

    private Object read(List<String> args) {
        return runner.run(args, RequestRunner.Effect.NONE);
    }

    private Object write(String... command) {
        List<String> args = new ArrayList<>(command.length + 3);
        args.add("REQ");
        args.add(clientId);
        args.add(Long.toString(nextSeq.getAndIncrement()));
        args.addAll(Arrays.asList(command));
        Object reply = runner.run(args, RequestRunner.Effect.DEDUPLICATED_WRITE);
        if (command[0].equals("SET") ? !"OK".equals(reply) : !(reply instanceof Long)) {
            throw new IndeterminateException(command[0] + " got an unexpected reply: " + reply, null, null);
        }
        return reply;
    }

    private static List<?> array(Object reply, int expectedSize, String command) {
        if (!(reply instanceof List) || (expectedSize >= 0 && ((List<?>) reply).size() != expectedSize)) {
            throw new DefiniteFailureException(command + " got an unexpected reply: " + reply, null, null);
        }
        return (List<?>) reply;
    }

    /** Configuration; {@link #nodes(List)} is required. */
    public static final class Builder {
        private List<String> nodes;
        private boolean pinned;
        private int requestTimeoutMillis = 1000;
        private int connectTimeoutMillis = 500;
        private int operationTimeoutMillis;
        private String clientId;

        private Builder() {
        }

        /** Client addresses ({@code host:port}) of the nodes; the first is tried first. */
        public Builder nodes(List<String> nodes) {
            this.nodes = List.copyOf(nodes);
            return this;
        }

        /** True: talk only to the first node; NOTLEADER becomes a definite failure. Default false. */
        public Builder pinned(boolean pinned) {
            this.pinned = pinned;
            return this;
        }

        /** How long one attempt waits for its reply. Default 1000 ms. */
        public Builder requestTimeoutMillis(int millis) {
            this.requestTimeoutMillis = positive("requestTimeoutMillis", millis);
            return this;
        }

        /** How long one connection attempt may take. Default 500 ms. */
        public Builder connectTimeoutMillis(int millis) {
            this.connectTimeoutMillis = positive("connectTimeoutMillis", millis);
            return this;
        }

        /** The deadline for an operation including all its retries. Default 3 x requestTimeoutMillis. */
        public Builder operationTimeoutMillis(int millis) {
            this.operationTimeoutMillis = positive("operationTimeoutMillis", millis);
            return this;
        }

        /** The id for REQ de-duplication; random if unset. No whitespace, at most 128 bytes. */
        public Builder clientId(String clientId) {
            if (clientId == null || clientId.isEmpty() || clientId.length() > 128 || clientId.matches(".*\\s.*")) {
                throw new IllegalArgumentException("clientId must be 1-128 characters without whitespace, got '"
                        + clientId + "'");
            }
            this.clientId = clientId;
            return this;
        }

        public LeaseKvClient build() {
            if (nodes == null || nodes.isEmpty()) {
                throw new IllegalArgumentException("nodes(...) needs at least one host:port");
            }
            return new LeaseKvClient(this);
        }

        private static int positive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }
    }
}
