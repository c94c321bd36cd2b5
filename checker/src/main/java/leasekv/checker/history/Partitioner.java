package leasekv.checker.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import leasekv.checker.HistoryException;
import leasekv.checker.IndependentKeys;
import leasekv.checker.Op;
import leasekv.checker.OpType;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.Keyword;
import leasekv.checker.model.Call;
import leasekv.checker.model.Model;

/**
 * Pairs each invocation with its completion and splits the calls by independent key, with Jepsen's
 * meaning: {@code :fail} did not happen and is dropped; {@code :info}, or no completion at all, may take
 * effect at any time after the invocation or never; nemesis ops are ignored. Calls of unknown outcome that
 * cannot change the state (reads) are dropped, since they constrain nothing.
 */
public final class Partitioner {
    private static final Keyword CAS = Keyword.of("cas");

    private Partitioner() {
    }

    /** A call before it is given its id and positions within its key. */
    private record RawCall(Op invoke, Op completion, Object value, boolean outcomeKnown) {
    }

    /**
     * The calls and op count of one key while the history is scanned. Each invocation takes the next slot,
     * so slots are in invocation order; a slot stays null if its call is dropped. Events are recorded as they
     * come, so they are in history order: {@code slot << 1}, plus 1 for an {@code :ok} return.
     */
    private static final class KeyCalls {
        final List<RawCall> slots = new ArrayList<>();
        int[] events = new int[16];
        int eventCount;
        int opCount;

        int reserve() {
            slots.add(null);
            return slots.size() - 1;
        }

        void event(int event) {
            if (eventCount == events.length) {
                events = Arrays.copyOf(events, eventCount * 2);
            }
            events[eventCount++] = event;
        }
    }

    private record Pending(Op invoke, KeyCalls calls, Object value, int slot) {
    }

    /**
     * @throws HistoryException for a double invocation, a completion without invocation, a completion of a
     *     different {@code :f}, a value that is not a tuple when tuples are required, or a call the model
     *     rejects
     */
    public static PreparedHistory prepare(List<Op> ops, Model model, IndependentKeys mode, boolean multiRegister) {
        boolean independent = mode == IndependentKeys.YES
                || (mode == IndependentKeys.AUTO && !multiRegister && looksIndependent(ops));
        ProcessMap<Pending> pending = new ProcessMap<>();
        Map<Object, KeyCalls> keys = new LinkedHashMap<>();
        int clientOps = 0;
        int nemesisOps = 0;
        for (Op op : ops) {
            if (op.isNemesis()) {
                nemesisOps++;
                continue;
            }
            clientOps++;
            if (op.type() == OpType.INVOKE) {
                invoke(op, independent, pending, keys);
            } else {
                complete(op, independent, pending, model);
            }
        }
        for (Pending open : pending.values()) {
            addCall(open, new RawCall(open.invoke(), null, open.value(), false), model);
        }
        List<KeyHistory> histories = new ArrayList<>(keys.size());
        for (Map.Entry<Object, KeyCalls> entry : keys.entrySet()) {
            histories.add(build(entry.getKey(), entry.getValue(), model));
        }
        return new PreparedHistory(independent, histories, ops.size(), clientOps, nemesisOps);
    }

    private static void invoke(Op op, boolean independent, ProcessMap<Pending> pending, Map<Object, KeyCalls> keys) {
        Pending earlier = pending.get(op.process());
        if (earlier != null) {
            throw new HistoryException(op.index(), "process " + op.process() + " invoked :" + op.f()
                    + " while its :" + earlier.invoke().f() + " invoked at op index " + earlier.invoke().index()
                    + " had not completed");
        }
        Object key = null;
        Object value = op.value();
        if (independent) {
            List<?> tuple = tuple(op);
            key = tuple.get(0);
            value = tuple.get(1);
        }
        KeyCalls calls = keys.computeIfAbsent(key, k -> new KeyCalls());
        calls.opCount++;
        int slot = calls.reserve();
        calls.event(slot << 1);
        pending.put(op.process(), new Pending(op, calls, value, slot));
    }

    private static void complete(Op op, boolean independent, ProcessMap<Pending> pending, Model model) {
        Pending open = pending.remove(op.process());
        if (open == null) {
            throw new HistoryException(op.index(), "process " + op.process() + " completed :" + op.f() + " with :"
                    + op.type().keyword().name() + " but had no invocation pending");
        }
        if (!op.f().equals(open.invoke().f())) {
            throw new HistoryException(op.index(), "process " + op.process() + " completed :" + op.f()
                    + " but had invoked :" + open.invoke().f() + " at op index " + open.invoke().index());
        }
        open.calls().opCount++;
        switch (op.type()) {
            case FAIL:
                return;
            case INFO:
                addCall(open, new RawCall(open.invoke(), op, open.value(), false), model);
                return;
            default:
                Object value = independent ? completionValue(op, open) : op.value();
                if (addCall(open, new RawCall(open.invoke(), op, value, true), model)) {
                    open.calls().event(open.slot() << 1 | 1);
                }
        }
    }

    private static Object completionValue(Op op, Pending open) {
        if (op.value() == null) {
            return null;
        }
        List<?> tuple = tuple(op);
        Object key = tuple(open.invoke()).get(0);
        if (!Objects.equals(tuple.get(0), key)) {
            throw new HistoryException(op.index(), "completion is for key " + EdnWriter.write(tuple.get(0))
                    + " but its invocation at op index " + open.invoke().index() + " was for key "
                    + EdnWriter.write(key));
        }
        return tuple.get(1);
    }

    private static List<?> tuple(Op op) {
        if (!(op.value() instanceof List) || ((List<?>) op.value()).size() != 2) {
            throw new HistoryException(op.index(), "expected an independent [key value] tuple as :value, found "
                    + EdnWriter.write(op.value()));
        }
        return (List<?>) op.value();
    }

    /** Puts the call in its slot unless it is dropped; true if it was kept. */
    /**
     * Puts the call in its slot unless it is dropped; true if it was kept. A call of unknown outcome is
     * validated here (it is dropped if it cannot change the state); one of known outcome when its key is
     * built, on the Call made then, so that no throwaway Call is made per op.
     */
    private static boolean addCall(Pending open, RawCall raw, Model model) {
        if (!raw.outcomeKnown()) {
            Call probe = new Call(-1, raw.invoke().fKeyword(), raw.value(), raw.invoke(), raw.completion(), -1, -1);
            validate(model, probe, raw);
            if (model.isReadOnly(probe)) {
                return false;
            }
        }
        open.calls().slots.set(open.slot(), raw);
        return true;
    }

    private static void validate(Model model, Call call, RawCall raw) {
        try {
            model.validate(call);
        } catch (IllegalArgumentException e) {
            Op shown = raw.completion() != null ? raw.completion() : raw.invoke();
            throw new HistoryException(shown.index(), e.getMessage());
        }
    }

    private static KeyHistory build(Object key, KeyCalls keyCalls, Model model) {
        List<RawCall> slots = keyCalls.slots;
        int[] idOfSlot = new int[slots.size()];
        int callCount = 0;
        for (int slot = 0; slot < slots.size(); slot++) {
            idOfSlot[slot] = slots.get(slot) == null ? -1 : callCount++;
        }
        int[] events = new int[keyCalls.eventCount];
        int[] invokePositions = new int[callCount];
        int[] returnPositions = new int[callCount];
        Arrays.fill(returnPositions, -1);
        int position = 0;
        for (int i = 0; i < keyCalls.eventCount; i++) {
            int slotEvent = keyCalls.events[i];
            int id = idOfSlot[KeyHistory.callOf(slotEvent)];
            if (id < 0) {
                continue;
            }
            boolean isReturn = KeyHistory.isReturn(slotEvent);
            events[position] = (id << 1) | (isReturn ? 1 : 0);
            if (isReturn) {
                returnPositions[id] = position;
            } else {
                invokePositions[id] = position;
            }
            position++;
        }
        List<Call> calls = new ArrayList<>(callCount);
        for (RawCall raw : slots) {
            if (raw != null) {
                int id = calls.size();
                Call call = new Call(id, raw.invoke().fKeyword(), raw.value(), raw.invoke(), raw.completion(),
                        invokePositions[id], returnPositions[id]);
                if (raw.outcomeKnown()) {
                    validate(model, call, raw);
                }
                calls.add(call);
            }
        }
        return new KeyHistory(key, Collections.unmodifiableList(calls), Arrays.copyOf(events, position),
                keyCalls.opCount);
    }

    /** The AUTO rule of {@link IndependentKeys}. */
    private static boolean looksIndependent(List<Op> ops) {
        boolean anyClientOp = false;
        for (Op op : ops) {
            if (op.isNemesis() || op.type() != OpType.INVOKE) {
                continue;
            }
            anyClientOp = true;
            if (!(op.value() instanceof List) || ((List<?>) op.value()).size() != 2) {
                return false;
            }
            if (op.fKeyword() == CAS && !(((List<?>) op.value()).get(1) instanceof List)) {
                return false;
            }
        }
        return anyClientOp;
    }
}
