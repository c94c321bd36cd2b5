package leasekv.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import leasekv.checker.edn.Keyword;

/** Breaks generated histories: changes what one completed op returned, so it may no longer be linearizable. */
final class Mutations {
    private Mutations() {
    }

    static List<Op> mutate(List<Op> history, Random random) {
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            Op op = history.get(i);
            if (op.type() == OpType.OK && isObservation(op)) {
                candidates.add(i);
            }
        }
        List<Op> mutated = new ArrayList<>(history);
        if (candidates.isEmpty()) {
            return mutated;
        }
        int target = candidates.get(random.nextInt(candidates.size()));
        Op op = history.get(target);
        mutated.set(target, op.withValue(otherValue(op, random)));
        return mutated;
    }

    private static boolean isObservation(Op op) {
        switch (op.f()) {
            case "read": case "dequeue": case "txn": case "cas": case "acquire": case "release": return true;
            default: return false;
        }
    }

    private static Object otherValue(Op op, Random random) {
        Object value = op.value();
        switch (op.f()) {
            case "read":
                if (value instanceof List) {
                    List<Object> elements = new ArrayList<>((List<?>) value);
                    if (!elements.isEmpty() && random.nextBoolean()) {
                        elements.remove(random.nextInt(elements.size()));
                    } else {
                        elements.add(1000L + random.nextInt(3));
                    }
                    return elements;
                }
                return random.nextInt(4) == 0 ? null : (long) random.nextInt(5);
            case "dequeue":
                return value == null ? (long) random.nextInt(10) : random.nextBoolean() ? null : (Object) ((Long) value + 1);
            case "txn":
                List<Object> txn = new ArrayList<>();
                for (Object step : (List<?>) value) {
                    List<?> micro = (List<?>) step;
                    boolean read = micro.get(0) == Keyword.of("read");
                    txn.add(read ? java.util.Arrays.asList(micro.get(0), micro.get(1), (long) random.nextInt(5)) : micro);
                }
                return txn;
            default:
                return value;
        }
    }

    /** Turns one :fail into :ok (for cas, acquire, release): claims an op happened that did not. */
    static List<Op> failToOk(List<Op> history, Random random) {
        List<Integer> fails = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).type() == OpType.FAIL) {
                fails.add(i);
            }
        }
        List<Op> mutated = new ArrayList<>(history);
        if (!fails.isEmpty()) {
            int target = fails.get(random.nextInt(fails.size()));
            Op op = history.get(target);
            mutated.set(target, new Op(op.process(), OpType.OK, op.f(), op.value(), op.index(), op.timeNanos(), op.extras()));
        }
        return mutated;
    }
}
