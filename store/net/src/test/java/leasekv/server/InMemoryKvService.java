package leasekv.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * A single-node, always-leader {@link KvService} held in memory: the reference semantics of every
 * command, and the backend for testing the server and the client without Raft. Every method completes
 * its future before returning. Thread-safe (one lock).
 *
 * <p>REQ de-duplication keeps, per client id, the highest sequence number applied and its result: a
 * repeat of that number returns the stored result without applying again, a lower number is refused
 * with ERR (the client has moved on, so nobody waits for that answer).
 */
public final class InMemoryKvService implements KvService {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final String nodeId;
    private final String clientAddress;
    private final boolean testHooks;
    private final Map<ByteBuffer, Object> data = new HashMap<>(); // byte[] for strings, List<byte[]> for lists
    private final Map<String, long[]> lastRequestByClient = new HashMap<>(); // {seq, result}
    private final TreeSet<String> voters = new TreeSet<>();
    private long appliedIndex;
    private double clockRate = 1.0;
    private long clockOffsetNanos;
    private long wallOffsetMillis;
    private long clockAnchorRealNanos = System.nanoTime();
    private long clockAnchorNanos = clockAnchorRealNanos;

    public InMemoryKvService(String nodeId, String clientAddress, boolean testHooks) {
        this.nodeId = nodeId;
        this.clientAddress = clientAddress;
        this.testHooks = testHooks;
        voters.add(nodeId);
    }

    @Override
    public CompletableFuture<Void> ping() {
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<byte[]> get(byte[] key) {
        try {
            return CompletableFuture.completedFuture(stringAt(key));
        } catch (KvException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public synchronized CompletableFuture<ServedRead> read(byte[] key) {
        try {
            return CompletableFuture.completedFuture(new ServedRead(stringAt(key), nodeId, 1, ReadMode.LEASE, appliedIndex));
        } catch (KvException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public synchronized CompletableFuture<List<byte[]>> lrange(byte[] key, long start, long stop) {
        Object held = data.get(ByteBuffer.wrap(key));
        if (held == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (!(held instanceof List)) {
            return CompletableFuture.failedFuture(wrongType());
        }
        @SuppressWarnings("unchecked")
        List<byte[]> list = (List<byte[]>) held;
        long size = list.size();
        long from = start < 0 ? Math.max(0, size + start) : start;
        long to = stop < 0 ? size + stop : Math.min(stop, size - 1);
        if (from > to || from >= size) {
            return CompletableFuture.completedFuture(List.of());
        }
        return CompletableFuture.completedFuture(new ArrayList<>(list.subList((int) from, (int) to + 1)));
    }

    @Override
    public synchronized CompletableFuture<Long> write(RequestId requestId, WriteCommand command) {
        if (requestId != null) {
            long[] last = lastRequestByClient.get(requestId.clientId());
            if (last != null && requestId.seq() == last[0]) {
                return CompletableFuture.completedFuture(last[1]);
            }
            if (last != null && requestId.seq() < last[0]) {
                return CompletableFuture.failedFuture(new KvException(ErrorWord.ERR, "stale REQ seq "
                        + requestId.seq() + " for client " + requestId.clientId() + " (already at " + last[0] + ")"));
            }
        }
        long result;
        try {
            result = apply(command);
        } catch (KvException e) {
            return CompletableFuture.failedFuture(e);
        }
        appliedIndex++;
        if (requestId != null) {
            lastRequestByClient.put(requestId.clientId(), new long[]{requestId.seq(), result});
        }
        return CompletableFuture.completedFuture(result);
    }

    private long apply(WriteCommand command) {
        ByteBuffer key = ByteBuffer.wrap(command.key());
        if (command instanceof WriteCommand.Set) {
            data.put(key, ((WriteCommand.Set) command).value());
            return 0;
        }
        if (command instanceof WriteCommand.Del) {
            return data.remove(key) != null ? 1 : 0;
        }
        if (command instanceof WriteCommand.Cas) {
            WriteCommand.Cas cas = (WriteCommand.Cas) command;
            byte[] current = stringAt(command.key());
            if (current == null || !Arrays.equals(current, cas.expected())) {
                return 0;
            }
            data.put(key, cas.replacement());
            return 1;
        }
        WriteCommand.RPush push = (WriteCommand.RPush) command;
        Object held = data.get(key);
        if (held != null && !(held instanceof List)) {
            throw wrongType();
        }
        @SuppressWarnings("unchecked")
        List<byte[]> list = held == null ? new ArrayList<>() : (List<byte[]>) held;
        list.addAll(push.values());
        data.put(key, list);
        return list.size();
    }

    private byte[] stringAt(byte[] key) {
        Object held = data.get(ByteBuffer.wrap(key));
        if (held != null && !(held instanceof byte[])) {
            throw wrongType();
        }
        return (byte[]) held;
    }

    private static KvException wrongType() {
        return new KvException(ErrorWord.WRONGTYPE, "Operation against a key holding the wrong kind of value");
    }

    @Override
    public synchronized CompletableFuture<RoleInfo> role() {
        return CompletableFuture.completedFuture(new RoleInfo(NodeRole.LEADER, nodeId, 1, nodeId, clientAddress,
                appliedIndex, appliedIndex));
    }

    @Override
    public synchronized CompletableFuture<String> info(String section) {
        String text = "# Server\r\nbackend:in-memory\r\nnode_id:" + nodeId + "\r\n"
                + "# Replication\r\nrole:leader\r\nterm:1\r\napplied_index:" + appliedIndex + "\r\n"
                + "# Keyspace\r\nkeys:" + data.size() + "\r\n";
        return CompletableFuture.completedFuture(text);
    }

    @Override
    public synchronized CompletableFuture<StateDigest> adminDigest() {
        return CompletableFuture.completedFuture(new StateDigest(appliedIndex, digest()));
    }

    private String digest() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
        TreeMap<ByteBuffer, Object> sorted = new TreeMap<>(data);
        for (Map.Entry<ByteBuffer, Object> e : sorted.entrySet()) {
            update(sha, e.getKey().array());
            if (e.getValue() instanceof byte[]) {
                sha.update((byte) 's');
                update(sha, (byte[]) e.getValue());
            } else {
                sha.update((byte) 'l');
                @SuppressWarnings("unchecked")
                List<byte[]> list = (List<byte[]>) e.getValue();
                for (byte[] element : list) {
                    update(sha, element);
                }
            }
        }
        for (Map.Entry<String, long[]> e : new TreeMap<>(lastRequestByClient).entrySet()) {
            update(sha, e.getKey().getBytes(StandardCharsets.UTF_8));
            sha.update(ByteBuffer.allocate(16).putLong(e.getValue()[0]).putLong(e.getValue()[1]).array());
        }
        return Replies.hex(sha.digest());
    }

    private static void update(MessageDigest sha, byte[] bytes) {
        sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        sha.update(bytes);
    }

    @Override
    public synchronized CompletableFuture<List<String>> adminMembers() {
        return CompletableFuture.completedFuture(new ArrayList<>(voters));
    }

    @Override
    public synchronized CompletableFuture<Void> adminAddVoter(String voterId) {
        voters.add(voterId);
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<Void> adminRemoveVoter(String voterId) {
        if (voterId.equals(nodeId)) {
            return CompletableFuture.failedFuture(new KvException(ErrorWord.ERR, "cannot remove the only voter"));
        }
        voters.remove(voterId);
        return DONE;
    }

    @Override
    public CompletableFuture<Void> adminSnapshot() {
        return DONE;
    }

    @Override
    public CompletableFuture<Void> adminTransfer(String targetId) {
        if (!testHooks) {
            return disabled("ADMIN TRANSFER");
        }
        return targetId.equals(nodeId) ? DONE : CompletableFuture.failedFuture(
                new KvException(ErrorWord.TIMEOUT, targetId + " did not become leader"));
    }

    @Override
    public synchronized CompletableFuture<ClockState> adminClock() {
        if (!testHooks) {
            return disabled("ADMIN CLOCK");
        }
        return CompletableFuture.completedFuture(new ClockState(clockRate, clockOffsetNanos, clockNanos(),
                wallOffsetMillis * 1_000_000L));
    }

    @Override
    public synchronized CompletableFuture<Void> adminClockRate(double rate) {
        if (!testHooks) {
            return disabled("ADMIN CLOCK RATE");
        }
        reanchorClock();
        clockRate = rate;
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<Void> adminClockStep(long millis) {
        if (!testHooks) {
            return disabled("ADMIN CLOCK STEP");
        }
        clockOffsetNanos += millis * 1_000_000L;
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<Void> adminClockReset() {
        if (!testHooks) {
            return disabled("ADMIN CLOCK RESET");
        }
        reanchorClock();
        clockRate = 1.0;
        wallOffsetMillis = 0;
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<Void> adminClockWallStep(long millis) {
        if (!testHooks) {
            return disabled("ADMIN CLOCK WALL-STEP");
        }
        wallOffsetMillis += millis;
        return DONE;
    }

    /** This service applies writes at once, so there is no apply thread to stall: accepted, no effect. */
    @Override
    public CompletableFuture<Void> adminStallApply(long millis) {
        return testHooks ? DONE : disabled("ADMIN STALL-APPLY");
    }

    @Override
    public CompletableFuture<Void> adminCrashAt(String point) {
        return CompletableFuture.failedFuture(new KvException(ErrorWord.ERR, "the in-memory service has no crash points"));
    }

    /** The injected clock: advances {@code clockRate} times real time, plus the stepped offset. */
    private long clockNanos() {
        long now = System.nanoTime();
        return clockAnchorNanos + (long) ((now - clockAnchorRealNanos) * clockRate) + clockOffsetNanos;
    }

    private void reanchorClock() {
        long now = System.nanoTime();
        clockAnchorNanos = clockAnchorNanos + (long) ((now - clockAnchorRealNanos) * clockRate);
        clockAnchorRealNanos = now;
    }

    private static <T> CompletableFuture<T> disabled(String what) {
        return CompletableFuture.failedFuture(new KvException(ErrorWord.DISABLED, what + " needs --test-hooks"));
    }
}
