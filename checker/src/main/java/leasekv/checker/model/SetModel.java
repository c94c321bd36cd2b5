package leasekv.checker.model;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.Keyword;

/** A set: {@code :add x} adds an element; an {@code :ok :read} returns the whole set. */
public final class SetModel implements Model {
    private static final Keyword ADD = Keyword.of("add");
    private static final Keyword READ = Keyword.of("read");

    private final Set<Object> initial;

    public SetModel(Collection<?> initial) {
        this.initial = Collections.unmodifiableSet(new HashSet<>(initial));
    }

    @Override
    public boolean isAlwaysPossible(Call call) {
        return call.fKeyword() == ADD;
    }

    @Override
    public String name() {
        return "set";
    }

    @Override
    public Object initialState() {
        return initial;
    }

    @Override
    public void validate(Call call) {
        if (call.fKeyword() == READ) {
            if (call.outcomeKnown() && !(call.value() instanceof Collection)) {
                throw new IllegalArgumentException("an :ok :read of a set needs a collection, not " + EdnWriter.write(call.value()));
            }
        } else if (call.fKeyword() != ADD) {
            throw new IllegalArgumentException("the set model knows :add and :read, not :" + call.f());
        }
    }

    @Override
    public Object step(Object state, Call call) {
        Set<?> elements = (Set<?>) state;
        if (call.fKeyword() == ADD) {
            if (elements.contains(call.value())) {
                return elements;
            }
            Set<Object> added = new HashSet<>(elements);
            added.add(call.value());
            return Collections.unmodifiableSet(added);
        }
        if (!call.outcomeKnown()) {
            return elements;
        }
        Set<?> observed = observedSet(call);
        return elements.size() == observed.size() && observed.containsAll(elements) ? elements : INCONSISTENT;
    }

    /** Sets only grow: once the set holds an element a read did not return, that read can never happen. */
    @Override
    public boolean isDeadEnd(Object state, Call call) {
        if (call.fKeyword() != READ || !call.outcomeKnown()) {
            return false;
        }
        Set<?> elements = (Set<?>) state;
        Set<?> observed = observedSet(call);
        return elements.size() > observed.size() || !observed.containsAll(elements);
    }

    @Override
    public boolean hasDeadEnds() {
        return true;
    }

    private static Set<?> observedSet(Call read) {
        if (read.modelMemo() == null) {
            read.setModelMemo(new HashSet<>((Collection<?>) read.value()));
        }
        return (Set<?>) read.modelMemo();
    }

    @Override
    public boolean isReadOnly(Call call) {
        return call.fKeyword() == READ;
    }

    @Override
    public Object stateToEdn(Object state) {
        Set<Object> ordered = new java.util.TreeSet<>(java.util.Comparator.comparing(EdnWriter::write));
        ordered.addAll((Set<?>) state);
        return ordered;
    }

    @Override
    public String explainInconsistency(Object state, Call call) {
        return "the read returned " + EdnWriter.write(call.value()) + ", but the set held " + EdnWriter.write(stateToEdn(state));
    }

    @Override
    public long estimateStateBytes(Object state) {
        return 48 + 40L * ((Set<?>) state).size();
    }
}
