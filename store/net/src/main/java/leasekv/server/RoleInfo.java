package leasekv.server;

/** The reply of {@code ROLE}; leaderId and leaderClientAddress are null when no leader is known. */
public record RoleInfo(NodeRole role, String nodeId, long term, String leaderId, String leaderClientAddress,
                       long commitIndex, long appliedIndex) {
}
