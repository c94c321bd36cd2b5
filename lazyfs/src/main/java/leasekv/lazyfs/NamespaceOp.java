package leasekv.lazyfs;

/**
 * One namespace change already applied to the backing directory but not yet durable. Directories are
 * named by their backing inode number, not by path, so an op still undoes correctly after its
 * directory was itself renamed. {@code dirs} lists every directory whose entries the op changed (plus
 * a removed directory itself): an fsync of any of them makes the op durable.
 */
final class NamespaceOp {
    enum Kind {
        /** A new entry {@code (dirIno, name)}: a file, directory, symlink or hard link. */
        CREATE,
        /** The entry {@code (dirIno, name)} was moved to the trash as {@code trashName}. */
        REMOVE,
        /** {@code (dirIno, name)} became {@code (toDirIno, toName)}; a displaced target went to the trash. */
        RENAME
    }

    final long seq;
    final Kind kind;
    final long[] dirs;
    final long dirIno;
    final String name;
    final long toDirIno;
    final String toName;
    /** Trash entry holding what the op removed or displaced, or null. */
    final String trashName;
    /** Whether the created, removed or renamed entry is a directory. */
    final boolean directory;
    /** The mount paths involved, for logs. */
    final String description;

    private NamespaceOp(long seq, Kind kind, long[] dirs, long dirIno, String name, long toDirIno, String toName,
                        String trashName, boolean directory, String description) {
        this.seq = seq;
        this.kind = kind;
        this.dirs = dirs;
        this.dirIno = dirIno;
        this.name = name;
        this.toDirIno = toDirIno;
        this.toName = toName;
        this.trashName = trashName;
        this.directory = directory;
        this.description = description;
    }

    static NamespaceOp create(long seq, long dirIno, String name, boolean directory, String description) {
        return new NamespaceOp(seq, Kind.CREATE, new long[] {dirIno}, dirIno, name, 0, null, null, directory,
                description);
    }

    /** {@code removedDirIno} is the removed directory's own inode (0 for a non-directory). */
    static NamespaceOp remove(long seq, long dirIno, String name, String trashName, long removedDirIno,
                              String description) {
        long[] dirs = removedDirIno != 0 ? new long[] {dirIno, removedDirIno} : new long[] {dirIno};
        return new NamespaceOp(seq, Kind.REMOVE, dirs, dirIno, name, 0, null, trashName, removedDirIno != 0,
                description);
    }

    /** {@code displacedDirIno}: inode of an empty directory the rename replaced, else 0. */
    static NamespaceOp rename(long seq, long fromDirIno, String fromName, long toDirIno, String toName,
                              String trashName, boolean directory, long displacedDirIno, String description) {
        long[] dirs = displacedDirIno != 0
                ? new long[] {fromDirIno, toDirIno, displacedDirIno}
                : new long[] {fromDirIno, toDirIno};
        return new NamespaceOp(seq, Kind.RENAME, dirs, fromDirIno, fromName, toDirIno, toName, trashName, directory,
                description);
    }

    boolean touches(long ino) {
        for (long d : dirs) {
            if (d == ino) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "#" + seq + " " + description;
    }
}
