package leasekv.checker.report;

import java.util.List;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.history.KeyHistory;
import leasekv.checker.model.Call;
import leasekv.checker.model.Model;
import leasekv.checker.model.RegisterModel;

/**
 * Whether a register key that failed at an {@code :ok} read of nil looks like a history whose client
 * recorded nil for "value unknown", as Knossos-era clients did; then {@code --nil-reads anything} (Knossos's
 * reading) is worth a try, and the hint says so.
 *
 * <p>The rule. Under the default reading a nil read means the key was absent. Such a read <em>contradicts
 * the history</em> when the key certainly held a value as the read began and nothing could have removed it:
 * no op of the key writes nil (a {@code :write nil} or a {@code :cas} to nil), and either the initial value
 * is not nil or an op that leaves a value (an acknowledged write or cas of a non-nil value, or an
 * {@code :ok} read of a non-nil value) completed before the read was invoked. The hint is given when
 * <ol>
 *   <li>the model is a register or cas-register read with nil meaning absent (the default),</li>
 *   <li>the failing op is an {@code :ok} read of nil that contradicts the history, and</li>
 *   <li>the initial value is not nil (then no nil read is possible at all, so nil cannot mean absent), or at
 *       least one other {@code :ok} nil read of the key contradicts the history as well: a pattern, where a
 *       single such read is the shape of a real stale read of a key not yet created.</li>
 * </ol>
 * In the Knossos corpus's 113 linearizable cas-register histories (initial value 0) the hint is given for
 * exactly the 89 that fail under the default reading; with the flag all 89 are valid.
 */
public final class NilReadHint {
    private NilReadHint() {
    }

    /** The hint in plain words, or null when the rule above does not hold. */
    public static String find(KeyHistory history, Call failing, Model model) {
        if (!(model instanceof RegisterModel) || ((RegisterModel) model).nilReadMatchesAnything()
                || !isOkNilRead(failing) || anyWritesNil(history.calls())) {
            return null;
        }
        boolean startsWithValue = model.initialState() != null;
        int firstValueSettled = firstValueSettled(history.calls());
        int okReads = 0;
        int contradicting = 0;
        boolean failingContradicts = false;
        for (Call call : history.calls()) {
            if (call.f().equals("read") && call.outcomeKnown()) {
                okReads++;
                if (call.value() == null && (startsWithValue || call.invokePosition() > firstValueSettled)) {
                    contradicting++;
                    failingContradicts |= call == failing;
                }
            }
        }
        if (!failingContradicts || (!startsWithValue && contradicting < 2)) {
            return null;
        }
        String where = startsWithValue
                ? ", though the register starts at " + EdnWriter.write(model.initialState()) + " and no op writes nil"
                : " after the key certainly held a value, and no op writes nil";
        return "Hint: " + contradicting + " of this key's " + okReads + " :ok reads returned nil" + where
                + ", so nil cannot mean \"absent\" here. Clients that record nil for a value they do not know, as"
                + " Knossos-era histories do, would explain that: if this history comes from one, check it with"
                + " --nil-reads anything (NilReads.ANYTHING). leasekv's harness records nil only for an absent key,"
                + " so in its histories this is a real violation.";
    }

    private static boolean isOkNilRead(Call call) {
        return call != null && call.f().equals("read") && call.outcomeKnown() && call.value() == null;
    }

    /** A write of nil, or a cas to nil, whatever its outcome: it could leave the key without a value. */
    private static boolean anyWritesNil(List<Call> calls) {
        for (Call call : calls) {
            if (call.f().equals("write") && call.value() == null) {
                return true;
            }
            if (call.f().equals("cas") && call.value() instanceof List && ((List<?>) call.value()).size() == 2
                    && ((List<?>) call.value()).get(1) == null) {
                return true;
            }
        }
        return false;
    }

    /** The event position at which the first op that leaves a non-nil value completed (:ok); MAX_VALUE if none. */
    private static int firstValueSettled(List<Call> calls) {
        int first = Integer.MAX_VALUE;
        for (Call call : calls) {
            if (call.outcomeKnown() && leavesAValue(call)) {
                first = Math.min(first, call.returnPosition());
            }
        }
        return first;
    }

    private static boolean leavesAValue(Call call) {
        switch (call.f()) {
            case "write":
            case "read":
                return call.value() != null;
            case "cas":
                return call.value() instanceof List && ((List<?>) call.value()).size() == 2
                        && ((List<?>) call.value()).get(1) != null;
            default:
                return false;
        }
    }
}
