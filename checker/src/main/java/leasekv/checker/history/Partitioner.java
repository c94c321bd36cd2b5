package leasekv.checker.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
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
    private record RawCall(Op invoke, Op completion, Object value, int invokeSeq, int returnSeq) {
    }

    /** The calls and op count of one key while the history is scanned. */
    private static final class KeyCalls {
        final List<RawCall> calls = new ArrayList<>();
        int opCount;
    }

    private record Pending(Op invoke, Object key, Object value, int seq) {
    }

    /**
     * @throws HistoryException for a double invocation, a completion without invocation, a completion of a
     *     different {@code :f}, a value that is not a tuple when tuples are required, or a call the model
     *     rejects
     */
    public static PreparedHistory prepare(List<Op> ops, Model model, IndependentKeys mode, boolean multiRegister) {
        boolean independent = mode == IndependentKeys.YES
                || (mode == IndependentKeys.AUTO && !multiRegister && looksIndependent(ops));
        Map<Long, Pending> pending = new HashMap<>();
        Map<Object, KeyCalls> keys = new LinkedHashMap<>();
        int clientOps = 0;
        int nemesisOps = 0;
        for (int seq = 0; seq < ops.size(); seq++) {
            Op op = ops.get(seq);
            if (op.isNemesis()) {
                nemesisOps++;
                continue;
            }
            clientOps++;
            if (op.type() == OpType.INVOKE) {
                invoke(op, seq, independent, pending, keys);
            } else {
                complete(op, seq, independent, pending, keys, model);
            }
        }
        for (Pending open : pending.values()) {
            addCall(keys.get(open.key()), new RawCall(open.invoke(), null, open.value(), open.seq(), -1), model);
        }
        List<KeyHistory> histories = new ArrayList<>(keys.size());
        for (Map.Entry<Object, KeyCalls> entry : keys.entrySet()) {
            histories.add(build(entry.getKey(), entry.getValue()));
        }
        return new PreparedHistory(independent, histories, ops.size(), clientOps, nemesisOps);
    }

    private static void invoke(Op op, int seq, boolean independent, Map<Long, Pending> pending, Map<Object, KeyCalls> keys) {
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
        keys.computeIfAbsent(key, k -> new KeyCalls()).opCount++;
        pending.put(op.process(), new Pending(op, key, value, seq));
    }

    private static void complete(Op op, int seq, boolean independent, Map<Long, Pending> pending,
            Map<Object, KeyCalls> keys, Model model) {
        Pending open = pending.remove(op.process());
        if (open == null) {
            throw new HistoryException(op.index(), "process " + op.process() + " completed :" + op.f() + " with :"
                    + op.type().keyword().name() + " but had no invocation pending");
        }
        if (!op.f().equals(open.invoke().f())) {
            throw new HistoryException(op.index(), "process " + op.process() + " completed :" + op.f()
                    + " but had invoked :" + open.invoke().f() + " at op index " + open.invoke().index());
        }
        KeyCalls key = keys.get(open.key());
        key.opCount++;
        switch (op.type()) {
            case FAIL:
                return;
            case INFO:
                addCall(key, new RawCall(open.invoke(), op, open.value(), open.seq(), -1), model);
                return;
            default:
                Object value = independent ? completionValue(op, open) : op.value();
                addCall(key, new RawCall(open.invoke(), op, value, open.seq(), seq), model);
        }
    }

    private static Object completionValue(Op op, Pending open) {
        if (op.value() == null) {
            return null;
        }
        List<?> tuple = tuple(op);
        if (!Objects.equals(tuple.get(0), open.key())) {
            throw new HistoryException(op.index(), "completion is for key " + EdnWriter.write(tuple.get(0))
                    + " but its invocation at op index " + open.invoke().index() + " was for key "
                    + EdnWriter.write(open.key()));
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

    private static void addCall(KeyCalls key, RawCall raw, Model model) {
        boolean outcomeKnown = raw.returnSeq() >= 0;
        Call probe = new Call(-1, raw.invoke().fKeyword(), raw.value(), raw.invoke(), raw.completion(), -1,
                outcomeKnown ? 0 : -1);
        try {
            model.validate(probe);
        } catch (IllegalArgumentException e) {
            Op shown = raw.completion() != null ? raw.completion() : raw.invoke();
            throw new HistoryException(shown.index(), e.getMessage());
        }
        if (!outcomeKnown && model.isReadOnly(probe)) {
            return;
        }
        key.calls.add(raw);
    }

    private static KeyHistory build(Object key, KeyCalls keyCalls) {
        List<RawCall> raws = keyCalls.calls;
        raws.sort((a, b) -> Integer.compare(a.invokeSeq(), b.invokeSeq()));
        int eventCount = 0;
        for (RawCall raw : raws) {
            eventCount += raw.returnSeq() >= 0 ? 2 : 1;
        }
        long[] ordered = new long[eventCount];
        int n = 0;
        for (int id = 0; id < raws.size(); id++) {
            RawCall raw = raws.get(id);
            ordered[n++] = ((long) raw.invokeSeq() << 32) | ((long) id << 1);
            if (raw.returnSeq() >= 0) {
                ordered[n++] = ((long) raw.returnSeq() << 32) | ((long) id << 1) | 1;
            }
        }
        Arrays.sort(ordered);
        int[] events = new int[eventCount];
        int[] invokePositions = new int[raws.size()];
        int[] returnPositions = new int[raws.size()];
        Arrays.fill(returnPositions, -1);
        for (int position = 0; position < eventCount; position++) {
            int event = (int) ordered[position];
            events[position] = event;
            if (KeyHistory.isReturn(event)) {
                returnPositions[KeyHistory.callOf(event)] = position;
            } else {
                invokePositions[KeyHistory.callOf(event)] = position;
            }
        }
        List<Call> calls = new ArrayList<>(raws.size());
        for (int id = 0; id < raws.size(); id++) {
            RawCall raw = raws.get(id);
            calls.add(new Call(id, raw.invoke().fKeyword(), raw.value(), raw.invoke(), raw.completion(),
                    invokePositions[id], returnPositions[id]));
        }
        return new KeyHistory(key, Collections.unmodifiableList(calls), events, keyCalls.opCount);
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
