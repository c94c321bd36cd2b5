package leasekv.checker.model;

import java.util.List;
import leasekv.checker.edn.EdnWriter;

/**
 * A sequential specification: the states an object can be in and what each operation does to them.
 * States must be immutable and have value-based {@code equals} and {@code hashCode}; {@code null} is a
 * valid state (for registers it means "absent").
 *
 * <p>Adding a model means one small class implementing this interface plus one line in {@link Models}.
 */
public interface Model {
    /** Returned by {@link #step} when the operation cannot happen in the given state. */
    Object INCONSISTENT = new Object() {
        @Override
        public String toString() {
            return "inconsistent";
        }
    };

    /** Returned by {@link #step} when an operation of unknown outcome could leave any of several states. */
    record Choices(List<Object> states) {
    }

    String name();

    Object initialState();

    /**
     * Rejects an operation this model does not know, or whose value has the wrong shape.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    void validate(Call call);

    /**
     * The state after {@code call} in {@code state}, {@link #INCONSISTENT} if it cannot happen there, or
     * {@link Choices} when its outcome is unknown and could be one of several.
     *
     * <p>For a call whose {@linkplain Call#outcomeKnown() outcome is unknown}, return the state it leaves
     * when it takes effect; the search separately considers that it never did.
     */
    Object step(Object state, Call call);

    /**
     * True if the call is possible in every state (a write, an add, an enqueue). The search tries crashed
     * calls that are not (a cas) early, since the states they need may not come back, and these late.
     * Only the search's speed depends on it.
     */
    default boolean isAlwaysPossible(Call call) {
        return false;
    }

    /** True if the call can never change the state; such calls of unknown outcome are dropped before the search. */
    default boolean isReadOnly(Call call) {
        return false;
    }

    /**
     * True if no sequence of further operations starting in {@code state} can make {@code call} possible;
     * the search then abandons that state at once rather than exploring what follows it. Must never
     * return true when some sequence could; the default, false, is always sound.
     */
    default boolean isDeadEnd(Object state, Call call) {
        return false;
    }

    /** Whether {@link #isDeadEnd} can ever return true; if not, the search does not spend time asking. */
    default boolean hasDeadEnds() {
        return false;
    }

    /**
     * This model specialised to one key's calls, for pruning with what the history itself says (say, which
     * dequeue returned each element). It must accept exactly the histories this model accepts.
     */
    default Model forKey(List<Call> calls) {
        return this;
    }

    /** The state as EDN data for reports. */
    default Object stateToEdn(Object state) {
        return state;
    }

    /** Plain words for why {@code call} cannot happen in {@code state}. */
    default String explainInconsistency(Object state, Call call) {
        return call.f() + " " + EdnWriter.write(call.value()) + " is impossible in state "
                + EdnWriter.write(stateToEdn(state));
    }

    /** A rough size of a state in bytes, for the memory limit. */
    default long estimateStateBytes(Object state) {
        return 32;
    }
}
