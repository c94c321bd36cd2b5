package leasekv.raft;

/** The role of a core, as reported by {@code ROLE} and {@code INFO}. */
public enum Role {
  FOLLOWER("follower"),
  PRE_CANDIDATE("pre-candidate"),
  CANDIDATE("candidate"),
  LEADER("leader");

  private final String displayName;

  Role(String displayName) {
    this.displayName = displayName;
  }

  /** The lower-case name used on the wire ({@code ROLE}) and in logs. */
  public String displayName() {
    return displayName;
  }
}
