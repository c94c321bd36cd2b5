package leasekv.client;

/**
 * The reply of {@code ROLE}. {@code role} is leader, follower, candidate, pre-candidate or replaying;
 * {@code leaderId} and {@code leaderClientAddress} are null when the node knows no leader.
 */
public record Role(String role, String nodeId, long term, String leaderId, String leaderClientAddress,
                   long commitIndex, long appliedIndex) {
    public boolean isLeader() {
        return "leader".equals(role);
    }
}
