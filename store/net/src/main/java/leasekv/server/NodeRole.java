package leasekv.server;

/** The role a node reports in {@code ROLE}; {@link #wireName()} is the reply text. */
public enum NodeRole {
    LEADER("leader"),
    FOLLOWER("follower"),
    CANDIDATE("candidate"),
    PRE_CANDIDATE("pre-candidate"),
    REPLAYING("replaying");

    private final String wireName;

    NodeRole(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
