package leasekv.checker.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import leasekv.checker.model.Model;

/** Interns model states to dense ints, so configurations compare a state by one int. */
final class StateTable {
    private static final long ENTRY_OVERHEAD_BYTES = 72;

    private final Map<Object, Integer> ids = new HashMap<>();
    private final List<Object> states = new ArrayList<>();
    private final Model model;
    private final SearchLimits limits;
    private long reservedBytes;

    StateTable(Model model, SearchLimits limits) {
        this.model = model;
        this.limits = limits;
    }

    int intern(Object state, long configurations) {
        Integer id = ids.get(state);
        if (id != null) {
            return id;
        }
        long bytes = ENTRY_OVERHEAD_BYTES + model.estimateStateBytes(state);
        limits.reserve(bytes, configurations);
        reservedBytes += bytes;
        int newId = states.size();
        states.add(state);
        ids.put(state, newId);
        return newId;
    }

    Object state(int id) {
        return states.get(id);
    }

    int size() {
        return states.size();
    }

    void release() {
        limits.memory().release(reservedBytes);
        reservedBytes = 0;
    }
}
