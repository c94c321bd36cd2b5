package leasekv.raft;

/**
 * The kinds of message Raft peers exchange, each bound to the {@link Lane} it travels on. The node's
 * codec encodes the ordinal: append new types at the end, never reorder.
 */
public enum MessageType {
  PRE_VOTE(Lane.CONTROL),
  PRE_VOTE_RESPONSE(Lane.CONTROL),
  VOTE(Lane.CONTROL),
  VOTE_RESPONSE(Lane.CONTROL),
  HEARTBEAT(Lane.CONTROL),
  HEARTBEAT_RESPONSE(Lane.CONTROL),
  TIMEOUT_NOW(Lane.CONTROL),
  APPEND(Lane.REPLICATION),
  APPEND_RESPONSE(Lane.REPLICATION),
  INSTALL_SNAPSHOT(Lane.SNAPSHOT);

  private final Lane lane;

  MessageType(Lane lane) {
    this.lane = lane;
  }

  public Lane lane() {
    return lane;
  }

  /** True for the messages only a leader sends to assert its leadership (they reset election timers). */
  public boolean isFromLeader() {
    return this == APPEND || this == HEARTBEAT || this == INSTALL_SNAPSHOT;
  }

  public boolean isVoteRequest() {
    return this == PRE_VOTE || this == VOTE;
  }
}
