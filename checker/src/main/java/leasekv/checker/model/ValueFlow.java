package leasekv.checker.model;

/**
 * A model of a single value that each call reads, overwrites, or both: a register. It tells the search
 * which value a call needs and which it leaves, so the search can reason about who observes whose effect:
 * drop crashed calls whose effect nobody can observe, and linearize a crashed call only right before a
 * call that observes it.
 *
 * <p>The contract those reductions rely on, for every call:
 * <ul>
 *   <li>if {@link #requiredValue} is not {@link #NONE}, the call is possible exactly when the state equals
 *       it; if it is NONE, the call is possible in every state;</li>
 *   <li>if {@link #writtenValue} is not NONE, the call leaves exactly that value (whatever the state was);
 *       if it is NONE, the call leaves the state unchanged.</li>
 * </ul>
 * So a call that requires nothing and writes nothing (a read of unknown outcome, or a nil read under
 * Knossos's reading) is possible anywhere and changes nothing, and a call that requires nothing but writes
 * (a write) replaces the state whatever it was.
 */
public interface ValueFlow {
    /** No value: the call needs no particular state, or leaves the state as it was. */
    Object NONE = new Object() {
        @Override
        public String toString() {
            return "none";
        }
    };

    /** The value the state must hold for {@code call} to happen, or {@link #NONE}. */
    Object requiredValue(Call call);

    /** The value {@code call} leaves when it takes effect, or {@link #NONE} if it changes nothing. */
    Object writtenValue(Call call);
}
