package leasekv.checker.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
public class RegisterModel implements Model, QuickRefutation, ValueFlow {
    static final Keyword READ = Keyword.of("read");
    static final Keyword WRITE = Keyword.of("write");
    private static final Keyword VALUE = Keyword.of("value");

    private final Object initialValue;
    private final boolean nilReadMatchesAnything;

    public RegisterModel(Object initialValue, boolean nilReadMatchesAnything) {
        this.initialValue = initialValue;
        this.nilReadMatchesAnything = nilReadMatchesAnything;
    }

    /** Whether an :ok read of nil matches any value (Knossos's reading) rather than meaning absent. */
    public boolean nilReadMatchesAnything() {
        return nilReadMatchesAnything;
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

    /**
     * The earlier-returning of: a read of a value that is neither the initial value nor one any write (or
     * cas) invoked before the read returned could have left; and a read (or cas) that needs a value all of
     * whose sources were surely overwritten before it began ({@link OverwrittenValueRefutation}).
     */
    @Override
    public Impossible firstImpossible(List<Call> calls) {
        Impossible neverWritten = firstNeverWritten(calls);
        Impossible overwritten = OverwrittenValueRefutation.first(calls, this, initialValue);
        if (neverWritten == null || overwritten == null) {
            return neverWritten != null ? neverWritten : overwritten;
        }
        return overwritten.call().returnPosition() < neverWritten.call().returnPosition() ? overwritten : neverWritten;
    }

    /**
     * A read of a value that is neither the initial value nor one any write (or cas) invoked before the
     * read returned could have left: no order of the ops can produce it.
     */
    private Impossible firstNeverWritten(List<Call> calls) {
        Set<Object> written = new HashSet<>();
        written.add(initialValue);
        List<Call> byInvocation = new ArrayList<>(calls);
        List<Call> readsByReturn = new ArrayList<>();
        for (Call call : calls) {
            if (call.fKeyword() == READ && call.outcomeKnown() && !(call.value() == null && nilReadMatchesAnything)) {
                readsByReturn.add(call);
            }
        }
        readsByReturn.sort(Comparator.comparingInt(Call::returnPosition));
        int next = 0;
        for (Call read : readsByReturn) {
            while (next < byInvocation.size() && byInvocation.get(next).invokePosition() < read.returnPosition()) {
                Object value = writtenValue(byInvocation.get(next++));
                if (value != NONE) {
                    written.add(value);
                }
            }
            if (!written.contains(read.value())) {
                return new Impossible(read, "the read returned " + describe(read.value())
                        + ", which is neither the initial value nor what any write invoked before it returned wrote");
            }
        }
        return null;
    }

    /** What a call leaves in the register: a write's value; {@link ValueFlow#NONE} for a read. */
    @Override
    public Object writtenValue(Call call) {
        return call.fKeyword() == WRITE ? call.value() : NONE;
    }

    /**
     * What a call needs the register to hold: an {@code :ok} read, the value it returned. A read of unknown
     * outcome, a nil read under Knossos's reading and a write need nothing.
     */
    @Override
    public Object requiredValue(Call call) {
        if (call.fKeyword() != READ || !call.outcomeKnown() || (call.value() == null && nilReadMatchesAnything)) {
            return NONE;
        }
        return call.value();
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
