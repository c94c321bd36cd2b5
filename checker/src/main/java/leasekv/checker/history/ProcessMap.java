package leasekv.checker.history;

import java.util.ArrayList;
import java.util.List;

/**
 * A map from process id to a value, with open addressing on primitive keys: the Partitioner looks a process
 * up three times per op, and a {@code HashMap<Long, ...>} boxed each id (ids above 127 are not cached), which
 * on a 2M-op history was the largest source of garbage.
 */
final class ProcessMap<V> {
    private long[] keys = new long[64];
    private Object[] values = new Object[64];
    private int size;

    @SuppressWarnings("unchecked")
    V get(long key) {
        int slot = find(key);
        return slot < 0 ? null : (V) values[slot];
    }

    void put(long key, V value) {
        int slot = find(key);
        if (slot >= 0) {
            values[slot] = value;
            return;
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        insert(key, value);
        size++;
    }

    /** Removes and returns the value of {@code key}, or null. */
    @SuppressWarnings("unchecked")
    V remove(long key) {
        int slot = find(key);
        if (slot < 0) {
            return null;
        }
        V removed = (V) values[slot];
        values[slot] = null;
        size--;
        // Backward-shift deletion: move later entries of the probe run into the hole.
        int mask = keys.length - 1;
        int hole = slot;
        for (int next = (hole + 1) & mask; values[next] != null; next = (next + 1) & mask) {
            int home = home(keys[next]);
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                keys[hole] = keys[next];
                values[hole] = values[next];
                values[next] = null;
                hole = next;
            }
        }
        return removed;
    }

    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> all = new ArrayList<>(size);
        for (Object value : values) {
            if (value != null) {
                all.add((V) value);
            }
        }
        return all;
    }

    private int find(long key) {
        int mask = keys.length - 1;
        for (int slot = home(key); values[slot] != null; slot = (slot + 1) & mask) {
            if (keys[slot] == key) {
                return slot;
            }
        }
        return -1;
    }

    private void insert(long key, Object value) {
        int mask = keys.length - 1;
        int slot = home(key);
        while (values[slot] != null) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                insert(oldKeys[i], oldValues[i]);
            }
        }
    }

    private int home(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & (keys.length - 1);
    }
}
