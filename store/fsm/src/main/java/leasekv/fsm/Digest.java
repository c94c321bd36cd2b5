package leasekv.fsm;

/** A deterministic hash (SHA-256, hex) of the whole state: data, de-dup table, applied index and membership. */
public record Digest(long appliedIndex, String hex) {}
