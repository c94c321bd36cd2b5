package leasekv.checker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import leasekv.checker.edn.EdnData;
import leasekv.checker.edn.Keyword;
import leasekv.checker.history.KeyHistory;
import leasekv.checker.model.Call;
import leasekv.checker.model.Model;
import leasekv.checker.model.RegisterModel;
import leasekv.checker.report.ConcurrencyWindow;
import leasekv.checker.report.NilReadHint;
import leasekv.checker.report.StaleReadFinder;
import leasekv.checker.search.SearchOutcome;

/**
 * The verdict on one key. When invalid it says which op could not be linearized, the configurations
 * (model state and pending ops) the search reached just before it, the tail of the longest linearization,
 * the window of concurrent ops, and for a register read, the {@link StaleRead}.
 */
public final class KeyResult implements EdnData {
    private final Object key;
    private final Validity validity;
    private final String cause;
    private final String reason;
    private final int opCount;
    private final int callCount;
    private final SearchOutcome outcome;
    private final Model model;
    private final List<Call> window;
    private final StaleRead staleRead;
    private final String nilReadHint;

    private KeyResult(KeyHistory history, SearchOutcome outcome, Model model) {
        this.key = history.key();
        this.validity = outcome.validity();
        this.cause = outcome.cause();
        this.reason = outcome.reason();
        this.opCount = history.historyOpCount();
        this.callCount = history.calls().size();
        this.outcome = outcome;
        this.model = model;
        Call failing = outcome.failingCall();
        this.window = failing == null ? List.of() : ConcurrencyWindow.around(history, failing);
        this.staleRead = failing == null || !(model instanceof RegisterModel) ? null
                : StaleReadFinder.find(history, failing, model.initialState());
        this.nilReadHint = failing == null ? null : NilReadHint.find(history, failing, model);
    }

    /** Builds the result of one key's search; keeps only what the report needs, not the whole key history. */
    public static KeyResult of(KeyHistory history, SearchOutcome outcome, Model model) {
        return new KeyResult(history, outcome, model);
    }

    /** The independent key, or null for a history without keys. */
    public Object key() {
        return key;
    }

    public Validity validity() {
        return validity;
    }

    /** For {@code :unknown}: {@code time-limit}, {@code memory-limit} or {@code cancelled}. */
    public String cause() {
        return cause;
    }

    /** For {@code :unknown}: the cause in a sentence. */
    public String reason() {
        return reason;
    }

    /** Ops of this key in the history (invocations and completions, failed ones included). */
    public int opCount() {
        return opCount;
    }

    public long configurations() {
        return outcome.configurations();
    }

    public long elapsedNanos() {
        return outcome.elapsedNanos();
    }

    /** The op that could not be linearized (its completion, with :index and extra fields), or null. */
    public Op failingOp() {
        return outcome.failingCall() == null ? null : outcome.failingCall().reportedOp();
    }

    public Call failingCall() {
        return outcome.failingCall();
    }

    /** Model states and pending calls where the search got stuck, just before the failing op returned. */
    public List<SearchOutcome.FinalConfig> finalConfigs() {
        return outcome.finalConfigs();
    }

    /** The last steps (up to 64) of the longest linearization: each call and the state after it. */
    public List<SearchOutcome.Step> linearizationTail() {
        return outcome.linearizationTail();
    }

    /** How many calls the longest linearizable prefix linearized. */
    public int linearizedCount() {
        return outcome.linearizedCount();
    }

    /** The failing call and the calls concurrent with it. */
    public List<Call> window() {
        return window;
    }

    /** The stale read behind the failure, or null when the failing op is not a read of an old value. */
    public StaleRead staleRead() {
        return staleRead;
    }

    public Model model() {
        return model;
    }

    /**
     * When the failing op is a read of nil in a history whose nil reads look like Knossos-era "unknown"
     * values, a sentence suggesting --nil-reads anything ({@link NilReadHint}); else null.
     */
    public String nilReadHint() {
        return nilReadHint;
    }

    /** Why the history fails here, in plain words; null unless invalid. */
    public String explanation() {
        Call failing = outcome.failingCall();
        if (failing == null) {
            return null;
        }
        Set<String> reasons = new LinkedHashSet<>();
        for (SearchOutcome.FinalConfig config : outcome.finalConfigs()) {
            reasons.add(model.explainInconsistency(config.state(), failing));
        }
        if (reasons.isEmpty() && reason != null) {
            reasons.add(reason);
        }
        Op op = failing.reportedOp();
        StringBuilder text = new StringBuilder();
        if (staleRead != null) {
            text.append(staleRead.explanation()).append(' ');
        }
        text.append("No order of the ops allows op index ").append(op.index()).append(" (process ").append(op.process())
                .append(' ').append(failing.f()).append(' ').append(leasekv.checker.edn.EdnWriter.write(failing.value()))
                .append(reasonsIntro())
                .append(String.join("; or ", reasons)).append('.');
        return text.toString();
    }

    private String reasonsIntro() {
        return outcome.finalConfigs().isEmpty() ? ") to happen at all: "
                : ") to complete where it did; in every state the search reached just before it: ";
    }

    @Override
    public Map<Object, Object> toEdnData() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(k("valid?"), validity.toEdnValue());
        if (validity == Validity.UNKNOWN) {
            map.put(k("cause"), cause == null ? null : k(cause));
            map.put(k("reason"), reason);
        }
        map.put(k("op-count"), opCount);
        map.put(k("configurations"), outcome.configurations());
        map.put(k("elapsed-ms"), Math.round(outcome.elapsedNanos() / 1e4) / 100.0);
        if (validity == Validity.INVALID) {
            putFailure(map);
        }
        return map;
    }

    private void putFailure(Map<Object, Object> map) {
        Call failing = outcome.failingCall();
        map.put(k("op"), failing.reportedOp());
        List<SearchOutcome.Step> tail = outcome.linearizationTail();
        map.put(k("last-op"), tail.isEmpty() ? null : tail.get(tail.size() - 1).call().reportedOp());
        List<Object> configs = new ArrayList<>();
        for (SearchOutcome.FinalConfig config : outcome.finalConfigs()) {
            Map<Object, Object> c = new LinkedHashMap<>();
            c.put(k("model"), model.stateToEdn(config.state()));
            c.put(k("pending"), ops(config.pending()));
            c.put(k("error"), model.explainInconsistency(config.state(), failing));
            configs.add(c);
        }
        map.put(k("configs"), configs);
        Map<Object, Object> prefix = new LinkedHashMap<>();
        prefix.put(k("linearized-count"), outcome.linearizedCount());
        prefix.put(k("before-index"), failing.reportedOp().index());
        List<Object> steps = new ArrayList<>();
        for (SearchOutcome.Step step : tail) {
            Map<Object, Object> s = new LinkedHashMap<>();
            s.put(k("op"), step.call().reportedOp());
            s.put(k("model"), model.stateToEdn(step.stateAfter()));
            steps.add(s);
        }
        prefix.put(k("tail"), steps);
        map.put(k("linearizable-prefix"), prefix);
        map.put(k("window"), ops(window));
        if (staleRead != null) {
            map.put(k("stale-read"), staleRead);
        }
        map.put(k("explanation"), explanation());
        if (nilReadHint != null) {
            map.put(k("hint"), nilReadHint);
        }
    }

    private static List<Object> ops(List<Call> calls) {
        List<Object> ops = new ArrayList<>(calls.size());
        for (Call call : calls) {
            ops.add(call.reportedOp());
        }
        return ops;
    }

    private static Keyword k(String name) {
        return Keyword.of(name);
    }
}
