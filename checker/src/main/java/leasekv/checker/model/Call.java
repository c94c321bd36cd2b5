package leasekv.checker.model;

import leasekv.checker.Op;
import leasekv.checker.edn.Keyword;

/**
 * One client operation as the search sees it: an invocation paired with its completion. For an
 * independent-key history the key is already stripped from the value.
 */
public final class Call {
    private final int id;
    private final Keyword f;
    private final Object value;
    private final boolean outcomeKnown;
    private final Op invoke;
    private final Op completion;
    private final int invokePosition;
    private final int returnPosition;
    private Object modelMemo;

    /**
     * @param id dense 0-based id within one key, in invocation order
     * @param value the completion's value for an {@code :ok} op, else the invocation's
     * @param completion the {@code :ok} or {@code :info} completion, or null if the op never completed
     * @param invokePosition position of the invocation among the events of this key
     * @param returnPosition position of the {@code :ok} completion, or -1 when the outcome is unknown
     */
    public Call(int id, Keyword f, Object value, Op invoke, Op completion, int invokePosition, int returnPosition) {
        this.id = id;
        this.f = f;
        this.value = value;
        this.invoke = invoke;
        this.completion = completion;
        this.outcomeKnown = returnPosition >= 0;
        this.invokePosition = invokePosition;
        this.returnPosition = returnPosition;
    }

    public int id() {
        return id;
    }

    /** The function name without the colon, e.g. {@code "read"}. */
    public String f() {
        return f.name();
    }

    public Keyword fKeyword() {
        return f;
    }

    /** For an independent-key history, the value without its key. */
    public Object value() {
        return value;
    }

    /**
     * True for an {@code :ok} op. False for an {@code :info} op or one that never completed: it may take
     * effect at any time after its invocation, or never, and its value is the one it was invoked with.
     */
    public boolean outcomeKnown() {
        return outcomeKnown;
    }

    public Op invoke() {
        return invoke;
    }

    /** The {@code :ok} or {@code :info} completion, or null. */
    public Op completion() {
        return completion;
    }

    /** The op to show a person: the completion when there is one, else the invocation. */
    public Op reportedOp() {
        return completion != null ? completion : invoke;
    }

    public int invokePosition() {
        return invokePosition;
    }

    /** -1 when the outcome is unknown. */
    public int returnPosition() {
        return returnPosition;
    }

    /**
     * A slot where a model may keep something derived from this call's value (say, the value as a set), so
     * it is computed once. One key is searched by one thread, so no locking is needed.
     */
    public Object modelMemo() {
        return modelMemo;
    }

    public void setModelMemo(Object memo) {
        this.modelMemo = memo;
    }

    public long process() {
        return invoke.process();
    }

    @Override
    public String toString() {
        return "process " + process() + " " + f + " " + leasekv.checker.edn.EdnWriter.write(value)
                + (outcomeKnown ? "" : " (outcome unknown)");
    }
}
