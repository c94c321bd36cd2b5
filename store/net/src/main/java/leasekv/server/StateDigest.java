package leasekv.server;

/** The reply of {@code ADMIN DIGEST}: a hex digest of the state machine (data and dedup table). */
public record StateDigest(long appliedIndex, String hexDigest) {
}
