package leasekv.checker.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.Keyword;

/**
 * A queue that may deliver in any order: {@code :enqueue x}, and {@code :dequeue} returning some element
 * that is in it. An {@code :ok} dequeue of nil says the queue was empty. A dequeue of unknown outcome may
 * have taken any element. The state is a multiset: element to count.
 */
public final class UnorderedQueueModel implements Model {
    static final Keyword ENQUEUE = Keyword.of("enqueue");
    static final Keyword DEQUEUE = Keyword.of("dequeue");

    private final Map<Object, Integer> initial;

    public UnorderedQueueModel(Collection<?> initial) {
        Map<Object, Integer> counts = new HashMap<>();
        for (Object element : initial) {
            counts.merge(element, 1, Integer::sum);
        }
        this.initial = Collections.unmodifiableMap(counts);
    }

    @Override
    public boolean isAlwaysPossible(Call call) {
        return call.fKeyword() == ENQUEUE;
    }

    @Override
    public String name() {
        return "unordered-queue";
    }

    @Override
    public Object initialState() {
        return initial;
    }

    @Override
    public void validate(Call call) {
        if (call.fKeyword() != ENQUEUE && call.fKeyword() != DEQUEUE) {
            throw new IllegalArgumentException("the " + name() + " model knows :enqueue and :dequeue, not :" + call.f());
        }
    }

    @Override
    public Object step(Object state, Call call) {
        @SuppressWarnings("unchecked")
        Map<Object, Integer> counts = (Map<Object, Integer>) state;
        if (call.fKeyword() == ENQUEUE) {
            return withCount(counts, call.value(), counts.getOrDefault(call.value(), 0) + 1);
        }
        if (!call.outcomeKnown()) {
            return anyDequeue(counts);
        }
        if (call.value() == null) {
            return counts.isEmpty() ? counts : INCONSISTENT;
        }
        Integer count = counts.get(call.value());
        return count == null ? INCONSISTENT : withCount(counts, call.value(), count - 1);
    }

    private static Object anyDequeue(Map<Object, Integer> counts) {
        if (counts.isEmpty()) {
            return INCONSISTENT;
        }
        List<Object> choices = new ArrayList<>(counts.size());
        for (Map.Entry<Object, Integer> entry : counts.entrySet()) {
            choices.add(withCount(counts, entry.getKey(), entry.getValue() - 1));
        }
        return choices.size() == 1 ? choices.get(0) : new Choices(choices);
    }

    private static Map<Object, Integer> withCount(Map<Object, Integer> counts, Object element, int count) {
        Map<Object, Integer> changed = new HashMap<>(counts);
        if (count == 0) {
            changed.remove(element);
        } else {
            changed.put(element, count);
        }
        return Collections.unmodifiableMap(changed);
    }

    @Override
    public Object stateToEdn(Object state) {
        List<Object> elements = new ArrayList<>();
        ((Map<?, ?>) state).forEach((element, count) -> {
            for (int i = 0; i < (Integer) count; i++) {
                elements.add(element);
            }
        });
        elements.sort(java.util.Comparator.comparing(EdnWriter::write));
        return elements;
    }

    @Override
    public String explainInconsistency(Object state, Call call) {
        return call.value() == null ? "the dequeue found the queue empty, but it held " + EdnWriter.write(stateToEdn(state))
                : "dequeued " + EdnWriter.write(call.value()) + ", which the queue did not hold";
    }

    @Override
    public long estimateStateBytes(Object state) {
        return 48 + 40L * ((Map<?, ?>) state).size();
    }
}
