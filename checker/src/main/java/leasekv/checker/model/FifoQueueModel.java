package leasekv.checker.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import leasekv.checker.edn.EdnWriter;

/**
 * A first-in first-out queue: {@code :enqueue x} appends, {@code :dequeue} returns the head. An
 * {@code :ok} dequeue of nil says the queue was empty. The state is the list of elements, head first.
 */
public final class FifoQueueModel implements Model {
    private final List<Object> initial;

    public FifoQueueModel(Collection<?> initial) {
        this.initial = Collections.unmodifiableList(new ArrayList<>(initial));
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

    @Override
    public Object step(Object state, Call call) {
        List<?> queue = (List<?>) state;
        if (call.fKeyword() == UnorderedQueueModel.ENQUEUE) {
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
        return queue.isEmpty() ? "dequeued " + EdnWriter.write(call.value()) + " from an empty queue"
                : "dequeued " + EdnWriter.write(call.value()) + ", but the head of the queue was " + EdnWriter.write(queue.get(0));
    }

    @Override
    public long estimateStateBytes(Object state) {
        return 48 + 16L * ((List<?>) state).size();
    }
}
