package leasekv.lazyfs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The namespace changes that are not durable yet, oldest first. It decides which of them a sync makes
 * durable; {@link Namespace} does the file work. Not thread-safe: Namespace serialises access.
 *
 * <p>Rule for an fsync of directory D: every pending op that changed D becomes durable, and with it
 * every older op that changed a directory any of those ops changed, and so on. Ops that share a
 * directory are thus committed in order (a later one never becomes durable before an earlier one it
 * may depend on, for example a create before the rename of the same entry), so undoing the rest
 * newest-first always finds the state each undo expects.
 */
final class Journal {
    private final List<NamespaceOp> pending = new ArrayList<>();

    void add(NamespaceOp op) {
        pending.add(op);
    }

    int size() {
        return pending.size();
    }

    /** Removes and answers, oldest first, the ops an fsync of directory {@code dirIno} makes durable. */
    List<NamespaceOp> takeForDirectory(long dirIno) {
        Set<Long> reached = new HashSet<>();
        reached.add(dirIno);
        List<NamespaceOp> taken = new ArrayList<>();
        for (int i = pending.size() - 1; i >= 0; i--) {
            NamespaceOp op = pending.get(i);
            if (touchesAny(op, reached)) {
                for (long d : op.dirs) {
                    reached.add(d);
                }
                taken.add(op);
                pending.remove(i);
            }
        }
        Collections.reverse(taken);
        return taken;
    }

    /** Removes and answers every pending op, oldest first. */
    List<NamespaceOp> takeAll() {
        List<NamespaceOp> taken = new ArrayList<>(pending);
        pending.clear();
        return taken;
    }

    /** Removes and answers the {@code count} oldest ops: a prefix is always safe to commit. */
    List<NamespaceOp> takeOldest(int count) {
        List<NamespaceOp> head = pending.subList(0, Math.min(count, pending.size()));
        List<NamespaceOp> taken = new ArrayList<>(head);
        head.clear();
        return taken;
    }

    /** Removes and answers every pending op, newest first: the order to undo them in. */
    List<NamespaceOp> takeAllNewestFirst() {
        List<NamespaceOp> taken = takeAll();
        Collections.reverse(taken);
        return taken;
    }

    private static boolean touchesAny(NamespaceOp op, Set<Long> dirs) {
        for (long d : op.dirs) {
            if (dirs.contains(d)) {
                return true;
            }
        }
        return false;
    }
}
