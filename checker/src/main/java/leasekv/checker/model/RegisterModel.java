package leasekv.checker.model;

import java.util.Collections;
import java.util.Objects;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.Keyword;

/**
 * A read/write register. The state is the value, {@code null} when the key is absent.
 *
 * <p>An {@code :ok} read of nil observes an absent key and is checked like any other value, unless the
 * model was built with {@code nilReadMatchesAnything} (Knossos's reading, for old histories whose
 * clients wrote nil for "value unknown").
 */
public class RegisterModel implements Model {
    static final Keyword READ = Keyword.of("read");
    static final Keyword WRITE = Keyword.of("write");
    private static final Keyword VALUE = Keyword.of("value");

    private final Object initialValue;
    private final boolean nilReadMatchesAnything;

    public RegisterModel(Object initialValue, boolean nilReadMatchesAnything) {
        this.initialValue = initialValue;
        this.nilReadMatchesAnything = nilReadMatchesAnything;
    }

    @Override
    public boolean isAlwaysPossible(Call call) {
        return call.fKeyword() == WRITE;
    }

    @Override
    public String name() {
        return "register";
    }

    @Override
    public Object initialState() {
        return initialValue;
    }

    @Override
    public void validate(Call call) {
        if (call.fKeyword() != READ && call.fKeyword() != WRITE) {
            throw new IllegalArgumentException("the " + name() + " model knows :read and :write, not :" + call.f());
        }
    }

    @Override
    public Object step(Object state, Call call) {
        if (call.fKeyword() == WRITE) {
            return call.value();
        }
        return readMatches(state, call) ? state : INCONSISTENT;
    }

    final boolean readMatches(Object state, Call call) {
        Object observed = call.value();
        return !call.outcomeKnown() || (observed == null && nilReadMatchesAnything) || Objects.equals(state, observed);
    }

    @Override
    public boolean isReadOnly(Call call) {
        return call.fKeyword() == READ;
    }

    @Override
    public Object stateToEdn(Object state) {
        return Collections.singletonMap(VALUE, state);
    }

    @Override
    public String explainInconsistency(Object state, Call call) {
        if (call.fKeyword() == READ) {
            return "the read returned " + describe(call.value()) + ", but the register held " + describe(state);
        }
        return Model.super.explainInconsistency(state, call);
    }

    /** A value in words: nil is spelled out as an absent key. */
    static String describe(Object value) {
        return value == null ? "nil (the key was absent)" : EdnWriter.write(value);
    }
}
