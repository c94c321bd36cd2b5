package leasekv.lazyfs;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each backing directory currently is, by inode number. Undo records name directories by inode
 * (they may have moved since); this walks the backing tree once to resolve them, and again after an
 * undo moved or removed a directory.
 */
final class DirectoryIndex {
    private final String root;
    private final String trash;
    private Map<Long, String> paths;

    DirectoryIndex(String root, String trash) {
        this.root = root;
        this.trash = trash;
    }

    /** The directory's backing path, or null if it no longer exists outside the trash. */
    String path(long ino) throws ErrnoException {
        if (paths == null) {
            paths = new HashMap<>();
            walk(root);
        }
        return paths.get(ino);
    }

    void invalidate() {
        paths = null;
    }

    private void walk(String dir) throws ErrnoException {
        Posix.Stat stat = Posix.lstatOrNull(dir);
        if (stat == null || !stat.isDirectory()) {
            return;
        }
        paths.put(stat.ino(), dir);
        for (String name : BackingFiles.list(dir)) {
            String child = dir + "/" + name;
            if (!child.equals(trash)) {
                Posix.Stat childStat = Posix.lstatOrNull(child);
                if (childStat != null && childStat.isDirectory()) {
                    walk(child);
                }
            }
        }
    }
}
