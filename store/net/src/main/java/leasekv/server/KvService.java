package leasekv.server;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the RESP server needs from the node. The server has already checked arity, integer syntax and
 * the key/value size limits; the service decides everything else (leadership, readiness, types).
 *
 * <p><b>Threading.</b> Every method is called on a netty event loop thread and must not block: hand the
 * request to the node's own loop and return a future. Futures may complete on any thread; the server
 * hops back to the connection's event loop and keeps replies in request order (pipelining).
 *
 * <p><b>Errors.</b> Complete exceptionally with {@link KvException}; its {@link ErrorWord} becomes the
 * first word of the reply. Examples: {@code KvException.notLeader("n2", "10.77.0.12:6379")},
 * {@code new KvException(ErrorWord.NOTREADY, "replaying the log")},
 * {@code new KvException(ErrorWord.WRONGTYPE, "Operation against a key holding the wrong kind of value")}.
 * The test hooks (ADMIN TRANSFER, ADMIN CLOCK ...) answer {@code DISABLED} without {@code --test-hooks}.
 */
public interface KvService {

    /** {@code PING}: completes normally when the node serves commands ({@code NOTREADY} while replaying). */
    CompletableFuture<Void> ping();

    /** {@code GET key}: the value, or null when absent. */
    CompletableFuture<byte[]> get(byte[] key);

    /** {@code READ key}: a GET that says how it was served. */
    CompletableFuture<ServedRead> read(byte[] key);

    /** {@code LRANGE key start stop} with Redis index semantics; an absent key is an empty list. */
    CompletableFuture<List<byte[]>> lrange(byte[] key, long start, long stop);

    /**
     * A SET, DEL, CAS or RPUSH. {@code requestId} is null for a bare command and set for
     * {@code REQ client-id seq CMD ...}: then the write is applied at most once per id, and a duplicate
     * completes with the original result. See {@link WriteCommand} for the meaning of the result.
     */
    CompletableFuture<Long> write(RequestId requestId, WriteCommand command);

    /** {@code ROLE}. Also answered while replaying (role {@link NodeRole#REPLAYING}). */
    CompletableFuture<RoleInfo> role();

    /** {@code INFO [section]}: Redis-style {@code key:value} lines; section is null when not given. */
    CompletableFuture<String> info(String section);

    /** {@code ADMIN DIGEST}. */
    CompletableFuture<StateDigest> adminDigest();

    /** {@code ADMIN MEMBERS}: the voter ids. */
    CompletableFuture<List<String>> adminMembers();

    /** {@code ADMIN ADD-VOTER id}: completes once the change is committed (leader only). */
    CompletableFuture<Void> adminAddVoter(String nodeId);

    /** {@code ADMIN REMOVE-VOTER id}: completes once the change is committed (leader only). */
    CompletableFuture<Void> adminRemoveVoter(String nodeId);

    /** {@code ADMIN SNAPSHOT}: completes after a snapshot/compaction pass. */
    CompletableFuture<Void> adminSnapshot();

    /** {@code ADMIN TRANSFER id} (test hook): completes once {@code id} leads, else {@code TIMEOUT}. */
    CompletableFuture<Void> adminTransfer(String nodeId);

    /** {@code ADMIN CLOCK} (test hook). */
    CompletableFuture<ClockState> adminClock();

    /** {@code ADMIN CLOCK RATE r} (test hook); the server has checked that r is finite and positive. */
    CompletableFuture<Void> adminClockRate(double rate);

    /** {@code ADMIN CLOCK STEP ms} (test hook); the server has checked that ms is not negative. */
    CompletableFuture<Void> adminClockStep(long millis);

    /** {@code ADMIN CLOCK RESET} (test hook): rate 1 and the wall clock back to real time. */
    CompletableFuture<Void> adminClockReset();

    /** {@code ADMIN CLOCK WALL-STEP ms} (test hook): steps the wall clock; ms may be negative. */
    CompletableFuture<Void> adminClockWallStep(long millis);

    /**
     * {@code ADMIN STALL-APPLY ms} (test hook): the apply thread applies nothing for ms from now
     * (committed entries wait); 0 ends a stall. Answers at once. The server has checked ms >= 0.
     */
    CompletableFuture<Void> adminStallApply(long millis);

    /**
     * {@code ADMIN CRASH-AT point} (test hook): the node halts, as a kill -9 would stop it, the next
     * time it reaches {@code point} ({@code before-log-sync}, {@code after-log-sync},
     * {@code before-snapshot-reset}, {@code after-snapshot-reset}). Answers at once.
     */
    CompletableFuture<Void> adminCrashAt(String point);
}
