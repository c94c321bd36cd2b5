package leasekv.server;

/** How a READ was served; {@link #wireName()} is what the READ reply carries. */
public enum ReadMode {
    LEASE("lease"),
    READ_INDEX("read-index"),
    LOCAL_UNSAFE("local-unsafe");

    private final String wireName;

    ReadMode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
