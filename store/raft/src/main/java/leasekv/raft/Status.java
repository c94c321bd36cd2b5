package leasekv.raft;

import java.util.List;

/**
 * What {@code ROLE} and {@code INFO} report about a core. A plain value; take a fresh one when needed.
 *
 * @param appliedIndex the applied index as the node reported it through {@link RaftCore#advance}
 * @param transferTarget the node a leadership transfer is under way to, or null
 */
public record Status(
    String id,
    Role role,
    long term,
    String leaderId,
    long commitIndex,
    long appliedIndex,
    long firstIndex,
    long lastIndex,
    List<String> voters,
    String transferTarget) {}
