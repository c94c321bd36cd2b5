package leasekv.lazyfs;

/** When a namespace change (create, unlink, rename, mkdir, link, symlink) becomes durable. */
public enum NamespaceDurability {
    /**
     * The default, ext4 with data=ordered: any fsync, fdatasync or directory fsync commits ext4's one
     * running journal transaction, which carries every namespace change made so far. File data still
     * need their own file's fsync (delayed allocation keeps them out of the journal).
     */
    ANY_FSYNC("any-fsync"),
    /**
     * Stricter, the POSIX minimum: only an fsync of a directory the change touched (or sync-all). A
     * new file's name is lost unless its directory is fsynced, even if the file itself was.
     */
    DIR_FSYNC("dir-fsync");

    public static final NamespaceDurability DEFAULT = ANY_FSYNC;

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
        throw new IllegalArgumentException("--namespace-durability must be any-fsync or dir-fsync, not '" + value + "'");
    }
}
