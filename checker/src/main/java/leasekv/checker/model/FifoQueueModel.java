package leasekv.checker.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import leasekv.checker.edn.EdnWriter;

/**
 * A first-in first-out queue: {@code :enqueue x} appends, {@code :dequeue} returns the head. An
 * {@code :ok} dequeue of nil says the queue was empty. The state is the list of elements, head first.
 */
public final class FifoQueueModel implements Model {
    private final List<Object> initial;
    private final Map<Object, Call> dequeueOf;

    public FifoQueueModel(Collection<?> initial) {
        this(initial, Map.of());
    }

    private FifoQueueModel(Collection<?> initial, Map<Object, Call> dequeueOf) {
        this.initial = Collections.unmodifiableList(new ArrayList<>(initial));
        this.dequeueOf = dequeueOf;
    }

    @Override
    public boolean isAlwaysPossible(Call call) {
        return call.fKeyword() == UnorderedQueueModel.ENQUEUE && dequeueOf.isEmpty();
    }

    @Override
    public String name() {
        return "fifo-queue";
    }

    @Override
    public Object initialState() {
        return initial;
    }

    @Override
    public void validate(Call call) {
        if (call.fKeyword() != UnorderedQueueModel.ENQUEUE && call.fKeyword() != UnorderedQueueModel.DEQUEUE) {
            throw new IllegalArgumentException("the fifo-queue model knows :enqueue and :dequeue, not :" + call.f());
        }
    }

    /**
     * When every element is enqueued once and dequeued at most once, the history says which dequeue takes
     * each element; an order of enqueues that those dequeues' real-time order rules out is cut at once,
     * instead of being discovered when the elements come out much later.
     */
    @Override
    public Model forKey(List<Call> calls) {
        Map<Object, Call> dequeueOf = new HashMap<>();
        Set<Object> enqueued = new HashSet<>();
        for (Call call : calls) {
            if (call.fKeyword() == UnorderedQueueModel.ENQUEUE && !enqueued.add(call.value())) {
                return this;
            }
            if (call.fKeyword() == UnorderedQueueModel.DEQUEUE && call.outcomeKnown() && call.value() != null
                    && dequeueOf.put(call.value(), call) != null) {
                return this;
            }
        }
        return dequeueOf.isEmpty() ? this : new FifoQueueModel(initial, dequeueOf);
    }

    /** True if {@code element} cannot be behind {@code ahead}: its dequeue ended before that one's began. */
    private boolean mustLeaveFirst(Object element, Object ahead) {
        Call elementDequeue = dequeueOf.get(element);
        Call aheadDequeue = dequeueOf.get(ahead);
        return elementDequeue != null && aheadDequeue != null
                && elementDequeue.returnPosition() < aheadDequeue.invokePosition();
    }

    @Override
    public Object step(Object state, Call call) {
        List<?> queue = (List<?>) state;
        if (call.fKeyword() == UnorderedQueueModel.ENQUEUE) {
            for (Object ahead : queue) {
                if (mustLeaveFirst(call.value(), ahead)) {
                    return INCONSISTENT;
                }
            }
            List<Object> appended = new ArrayList<>(queue.size() + 1);
            appended.addAll(queue);
            appended.add(call.value());
            return Collections.unmodifiableList(appended);
        }
        if (call.outcomeKnown() && call.value() == null) {
            return queue.isEmpty() ? queue : INCONSISTENT;
        }
        if (queue.isEmpty() || (call.outcomeKnown() && !Objects.equals(queue.get(0), call.value()))) {
            return INCONSISTENT;
        }
        return Collections.unmodifiableList(new ArrayList<>(queue.subList(1, queue.size())));
    }

    @Override
    public String explainInconsistency(Object state, Call call) {
        List<?> queue = (List<?>) state;
        if (call.fKeyword() == UnorderedQueueModel.ENQUEUE) {
            return "enqueueing " + EdnWriter.write(call.value()) + " behind " + EdnWriter.write(queue)
                    + " contradicts the order in which the history dequeued them";
        }
        return queue.isEmpty() ? "dequeued " + EdnWriter.write(call.value()) + " from an empty queue"
                : "dequeued " + EdnWriter.write(call.value()) + ", but the head of the queue was " + EdnWriter.write(queue.get(0));
    }

    @Override
    public long estimateStateBytes(Object state) {
        return 48 + 16L * ((List<?>) state).size();
    }
}
