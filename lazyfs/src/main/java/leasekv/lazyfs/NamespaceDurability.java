package leasekv.lazyfs;

/** When a namespace change (create, unlink, rename, mkdir, link, symlink) becomes durable. */
public enum NamespaceDurability {
    /**
     * Only an fsync of a directory the change touched (or sync-all). The POSIX minimum, and what a
     * careful application must assume: a new file's name is lost unless its directory is fsynced.
     */
    DIR_FSYNC("dir-fsync"),
    /**
     * Any fsync, fdatasync or directory fsync makes every pending change durable, as ext4's single
     * running journal transaction does. File data still needs that file's own fsync.
     */
    ANY_FSYNC("any-fsync");

    public final String cliName;

    NamespaceDurability(String cliName) {
        this.cliName = cliName;
    }

    public static NamespaceDurability parse(String value) {
        for (NamespaceDurability d : values()) {
            if (d.cliName.equals(value)) {
                return d;
            }
        }
        throw new IllegalArgumentException("--namespace-durability must be dir-fsync or any-fsync, not '" + value + "'");
    }
}
