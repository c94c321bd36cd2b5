package leasekv.checker.model;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import leasekv.checker.Values;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.Keyword;

/**
 * Several registers changed together by transactions: {@code :f :txn} with a value such as
 * {@code [[:read :x 1] [:write :y 2]]}. The state maps each register to its value; an absent register is
 * nil. Reads see the writes made earlier in the same transaction.
 */
public final class MultiRegisterModel implements Model {
    private static final Keyword TXN = Keyword.of("txn");

    private final Map<Object, Object> initial;
    private final boolean nilReadMatchesAnything;

    public MultiRegisterModel(Map<?, ?> initial, boolean nilReadMatchesAnything) {
        Map<Object, Object> copy = new HashMap<>();
        initial.forEach((register, value) -> {
            if (value != null) {
                copy.put(register, value);
            }
        });
        this.initial = Collections.unmodifiableMap(copy);
        this.nilReadMatchesAnything = nilReadMatchesAnything;
    }

    @Override
    public String name() {
        return "multi-register";
    }

    @Override
    public Object initialState() {
        return initial;
    }

    @Override
    public void validate(Call call) {
        if (call.fKeyword() != TXN) {
            throw new IllegalArgumentException("the multi-register model knows only :txn, not :" + call.f());
        }
        if (!(call.value() instanceof List)) {
            throw new IllegalArgumentException(":txn needs a vector of [:read k v] and [:write k v], not "
                    + EdnWriter.write(call.value()));
        }
        for (Object micro : (List<?>) call.value()) {
            if (!(micro instanceof List) || ((List<?>) micro).size() != 3 || !isReadOrWrite(((List<?>) micro).get(0))) {
                throw new IllegalArgumentException("a :txn step must be [:read k v] or [:write k v], not "
                        + EdnWriter.write(micro));
            }
        }
    }

    private static boolean isReadOrWrite(Object f) {
        return Values.isNameLike(f) && (Values.name(f).equals("read") || Values.name(f).equals("write"));
    }

    @Override
    public Object step(Object state, Call call) {
        @SuppressWarnings("unchecked")
        Map<Object, Object> registers = (Map<Object, Object>) state;
        Map<Object, Object> written = null;
        for (Object micro : (List<?>) call.value()) {
            List<?> step = (List<?>) micro;
            Object register = step.get(1);
            Object value = step.get(2);
            Map<Object, Object> current = written != null ? written : registers;
            if (Values.name(step.get(0)).equals("read")) {
                boolean unconstrained = !call.outcomeKnown() || (value == null && nilReadMatchesAnything);
                if (!unconstrained && !Objects.equals(current.get(register), value)) {
                    return INCONSISTENT;
                }
            } else {
                if (written == null) {
                    written = new HashMap<>(registers);
                }
                if (value == null) {
                    written.remove(register);
                } else {
                    written.put(register, value);
                }
            }
        }
        return written == null ? registers : Collections.unmodifiableMap(written);
    }

    @Override
    public boolean isReadOnly(Call call) {
        for (Object micro : (List<?>) call.value()) {
            if (!Values.name(((List<?>) micro).get(0)).equals("read")) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Object stateToEdn(Object state) {
        return sorted((Map<?, ?>) state);
    }

    private static Map<Object, Object> sorted(Map<?, ?> state) {
        Map<Object, Object> ordered = new java.util.LinkedHashMap<>();
        state.keySet().stream().sorted((a, b) -> EdnWriter.write(a).compareTo(EdnWriter.write(b)))
                .forEach(register -> ordered.put(register, state.get(register)));
        return ordered;
    }

    @Override
    public long estimateStateBytes(Object state) {
        return 48 + 48L * ((Map<?, ?>) state).size();
    }
}
