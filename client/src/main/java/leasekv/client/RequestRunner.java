package leasekv.client;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;

/**
 * Sends one command with retries until it succeeds, fails definitely, or the operation deadline passes.
 * Holds the client's single connection. Not thread-safe; {@link LeaseKvClient} serialises calls.
 *
 * <p>Retry rules:
 * <ul>
 *   <li>connect failure: nothing was sent; try the next node (pinned: fail definitely);</li>
 *   <li>{@code NOTLEADER id host:port}: go there (pinned: fail definitely); {@code NOTLEADER unknown},
 *       {@code NOTREADY}, {@code BUSY}: back off and try again;</li>
 *   <li>timeout, broken connection after sending, {@code TIMEOUT}, {@code UNCERTAIN}: the command may
 *       have been applied. Reads and REQ-wrapped writes are retried (a REQ retry carries the same
 *       client id and seq, so it is applied at most once); other commands fail as indeterminate;</li>
 *   <li>{@code ERR}, {@code TOOLARGE}, {@code WRONGTYPE}, {@code DISABLED} and unknown words: final.</li>
 * </ul>
 * The final failure is indeterminate if any attempt of a command with effects may have applied it,
 * definite otherwise.
 */
final class RequestRunner implements AutoCloseable {
    /** What a command does to the store, which decides how failures are classified and retried. */
    enum Effect {
        /** Reads: no effect, so every failure is definite and every failure may be retried. */
        NONE,
        /** REQ-wrapped writes: retried with the same seq after a timeout, applied at most once. */
        DEDUPLICATED_WRITE,
        /** Anything else (raw commands): never re-sent once it may have arrived. */
        UNKNOWN
    }

    private static final int MAX_BACKOFF_MILLIS = 200;

    private final List<NodeAddress> nodes;
    private final boolean pinned;
    private final int requestTimeoutMillis;
    private final int connectTimeoutMillis;
    private final int operationTimeoutMillis;
    private RespConnection connection;
    private NodeAddress target;
    private int nodeIndex;
    private int resendsOfLastRun;

    RequestRunner(List<NodeAddress> nodes, boolean pinned, int requestTimeoutMillis, int connectTimeoutMillis,
                  int operationTimeoutMillis) {
        this.nodes = nodes;
        this.pinned = pinned;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.operationTimeoutMillis = operationTimeoutMillis;
        this.target = nodes.get(0);
    }

    /** Per-operation bookkeeping across attempts. */
    private static final class Attempts {
        final long deadlineNanos;
        boolean mayHaveApplied;
        String lastWord;
        String lastProblem = "no attempt was made";
        Throwable lastCause;
        int backoffMillis = 10;

        Attempts(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        long remainingMillis() {
            return (deadlineNanos - System.nanoTime()) / 1_000_000;
        }

        void failed(String problem, String word, Throwable cause) {
            lastProblem = problem;
            lastWord = word;
            lastCause = cause;
        }
    }

    Object run(List<String> args, Effect effect) {
        Attempts attempts = new Attempts(System.nanoTime() + operationTimeoutMillis * 1_000_000L);
        resendsOfLastRun = 0;
        while (true) {
            long remaining = attempts.remainingMillis();
            if (remaining <= 0) {
                throw finalFailure(attempts, args, "operation deadline of " + operationTimeoutMillis + " ms passed");
            }
            if (!ensureConnected(attempts, args, remaining)) {
                continue;
            }
            Object reply;
            if (attempts.mayHaveApplied) {
                resendsOfLastRun++;
            }
            try {
                connection.send(args);
                reply = connection.read((int) Math.min(requestTimeoutMillis, Math.max(1, attempts.remainingMillis())));
            } catch (IOException e) {
                onBrokenAfterSend(attempts, args, effect, e);
                continue;
            }
            if (!(reply instanceof ErrorReply)) {
                return reply;
            }
            onErrorReply(attempts, args, effect, (ErrorReply) reply);
        }
    }

    /**
     * How often the last {@link #run} sent its command again after an attempt that may have been applied
     * (a timeout, a broken connection, TIMEOUT or UNCERTAIN): for a write, each such re-send relies on
     * the store's de-duplication to apply it once.
     */
    int resendsOfLastRun() {
        return resendsOfLastRun;
    }

    private boolean ensureConnected(Attempts attempts, List<String> args, long remainingMillis) {
        if (connection != null) {
            return true;
        }
        try {
            connection = RespConnection.open(target, (int) Math.min(connectTimeoutMillis, remainingMillis));
            return true;
        } catch (IOException | RuntimeException e) {
            attempts.failed("cannot connect to " + target + ": " + e, null, e);
            if (pinned) {
                throw finalFailure(attempts, args, "pinned node is unreachable");
            }
            boolean wrapped = nextNode();
            if (wrapped) {
                backOff(attempts, args); // every node refused: give a restarting cluster a moment
            }
            return false;
        }
    }

    private void onBrokenAfterSend(Attempts attempts, List<String> args, Effect effect, IOException e) {
        NodeAddress where = connection.address();
        closeConnection();
        String problem = (e instanceof SocketTimeoutException ? "no reply within " + requestTimeoutMillis + " ms from "
                : "connection to " + where + " broke: " + e.getMessage() + ", at ") + where;
        attempts.failed(problem, null, e);
        if (effect != Effect.NONE) {
            attempts.mayHaveApplied = true;
        }
        if (effect == Effect.UNKNOWN) {
            throw finalFailure(attempts, args, "not retried: the command may not be idempotent");
        }
        if (!pinned) {
            nextNode(); // the node may be partitioned away; another one redirects us if needed
        }
    }

    private void onErrorReply(Attempts attempts, List<String> args, Effect effect, ErrorReply error) {
        attempts.failed("server " + connection.address() + " answered " + error, error.word, null);
        switch (error.word) {
            case "NOTLEADER":
                if (pinned) {
                    throw finalFailure(attempts, args, "pinned to a node that is not the leader");
                }
                redirect(attempts, args, error.detail);
                return;
            case "NOTREADY":
            case "BUSY":
                backOff(attempts, args);
                return;
            case "TIMEOUT":
            case "UNCERTAIN":
                if (effect != Effect.NONE) {
                    attempts.mayHaveApplied = true;
                }
                if (effect == Effect.UNKNOWN) {
                    throw finalFailure(attempts, args, "not retried: the command may not be idempotent");
                }
                if (error.word.equals("UNCERTAIN") && !pinned) {
                    closeConnection();
                    nextNode(); // leadership moved: ask around
                }
                backOff(attempts, args);
                return;
            default:
                throw finalFailure(attempts, args, null);
        }
    }

    /** {@code NOTLEADER <id> <host:port>} or {@code NOTLEADER unknown}. */
    private void redirect(Attempts attempts, List<String> args, String detail) {
        String[] parts = detail.trim().split("\\s+");
        NodeAddress leader = null;
        if (parts.length == 2) {
            try {
                leader = NodeAddress.parse(parts[1]);
            } catch (IllegalArgumentException e) {
                leader = null; // a garbled redirect is treated like "unknown"
            }
        }
        closeConnection();
        if (leader == null) {
            nextNode();
            backOff(attempts, args);
            return;
        }
        if (leader.equals(target)) {
            backOff(attempts, args); // a stale redirect to ourselves: an election is under way
        }
        target = leader;
    }

    private boolean nextNode() {
        closeConnection();
        nodeIndex = (nodeIndex + 1) % nodes.size();
        target = nodes.get(nodeIndex);
        return nodeIndex == 0;
    }

    private void backOff(Attempts attempts, List<String> args) {
        long sleep = Math.min(attempts.backoffMillis, attempts.remainingMillis());
        attempts.backoffMillis = Math.min(MAX_BACKOFF_MILLIS, attempts.backoffMillis * 2);
        if (sleep <= 0) {
            return;
        }
        try {
            Thread.sleep(sleep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw finalFailure(attempts, args, "interrupted while waiting to retry");
        }
    }

    private LeaseKvException finalFailure(Attempts attempts, List<String> args, String why) {
        String message = args0(args) + " failed: " + attempts.lastProblem + (why == null ? "" : " (" + why + ")");
        if (attempts.mayHaveApplied) {
            return new IndeterminateException(message, attempts.lastWord, attempts.lastCause);
        }
        return new DefiniteFailureException(message, attempts.lastWord, attempts.lastCause);
    }

    private static String args0(List<String> args) {
        if (args == null || args.isEmpty()) {
            return "command";
        }
        // The REQ prefix is noise in messages; name the wrapped command.
        return args.size() > 3 && args.get(0).equals("REQ") ? args.get(3) : args.get(0);
    }

    private void closeConnection() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
