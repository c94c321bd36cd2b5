package leasekv.checker.gen;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import leasekv.checker.edn.Keyword;

/**
 * The real objects behind generated histories: what each operation returns and leaves. Deliberately
 * written apart from the checker's models, so that a bug in one is caught by the other.
 */
abstract class Semantics {
    record Invocation(String f, Object value) {
    }

    /** Whether the op succeeded, the value its completion carries, and the object's new state. */
    record Result(boolean ok, Object value, Object state) {
    }

    protected final int valueRange;
    private long nextUnique;

    Semantics(int valueRange) {
        this.valueRange = valueRange;
    }

    static Semantics of(GeneratorSpec.Workload workload, int valueRange) {
        switch (workload) {
            case REGISTER: return new Register(valueRange, false);
            case CAS_REGISTER: return new Register(valueRange, true);
            case MUTEX: return new Mutex(valueRange);
            case SET: return new GrowSet(valueRange);
            case UNORDERED_QUEUE: return new Queue(valueRange, false);
            case FIFO_QUEUE: return new Queue(valueRange, true);
            default: return new MultiRegister(valueRange);
        }
    }

    abstract Object initialState();

    abstract Invocation nextInvocation(SplittableRandom random);

    abstract Result apply(Object state, Invocation invocation, SplittableRandom random);

    long randomValue(SplittableRandom random) {
        return random.nextInt(valueRange);
    }

    long uniqueValue() {
        return nextUnique++;
    }

    /** A register starting absent (nil): reads return it, writes replace it, cas swaps when it matches. */
    static final class Register extends Semantics {
        private final boolean withCas;

        Register(int valueRange, boolean withCas) {
            super(valueRange);
            this.withCas = withCas;
        }

        @Override
        Object initialState() {
            return null;
        }

        @Override
        Invocation nextInvocation(SplittableRandom random) {
            int choice = random.nextInt(withCas ? 3 : 2);
            if (choice == 0) {
                return new Invocation("read", null);
            }
            if (choice == 1) {
                return new Invocation("write", randomValue(random));
            }
            return new Invocation("cas", List.of(randomValue(random), randomValue(random)));
        }

        @Override
        Result apply(Object state, Invocation invocation, SplittableRandom random) {
            switch (invocation.f()) {
                case "read": return new Result(true, state, state);
                case "write": return new Result(true, invocation.value(), invocation.value());
                default:
                    List<?> expectedAndNew = (List<?>) invocation.value();
                    boolean swapped = expectedAndNew.get(0).equals(state);
                    return new Result(swapped, invocation.value(), swapped ? expectedAndNew.get(1) : state);
            }
        }
    }

    /** A lock: acquire fails when held, release fails when free. */
    static final class Mutex extends Semantics {
        Mutex(int valueRange) {
            super(valueRange);
        }

        @Override
        Object initialState() {
            return Boolean.FALSE;
        }

        @Override
        Invocation nextInvocation(SplittableRandom random) {
            return new Invocation(random.nextBoolean() ? "acquire" : "release", null);
        }

        @Override
        Result apply(Object state, Invocation invocation, SplittableRandom random) {
            boolean held = (Boolean) state;
            boolean acquire = invocation.f().equals("acquire");
            boolean ok = acquire != held;
            return new Result(ok, null, ok ? !held : held);
        }
    }

    /** A grow-only set of unique elements; a read returns all of them, sorted. */
    static final class GrowSet extends Semantics {
        GrowSet(int valueRange) {
            super(valueRange);
        }

        @Override
        Object initialState() {
            return Collections.emptyList();
        }

        @Override
        Invocation nextInvocation(SplittableRandom random) {
            return random.nextInt(3) == 0 ? new Invocation("read", null) : new Invocation("add", uniqueValue());
        }

        @Override
        Result apply(Object state, Invocation invocation, SplittableRandom random) {
            @SuppressWarnings("unchecked")
            List<Object> elements = (List<Object>) state;
            if (invocation.f().equals("read")) {
                return new Result(true, elements, elements);
            }
            TreeSet<Object> added = new TreeSet<>(elements);
            added.add(invocation.value());
            return new Result(true, invocation.value(), List.copyOf(added));
        }
    }

    /** A queue of unique elements; a dequeue of an empty queue returns nil. Unordered ones pick at random. */
    static final class Queue extends Semantics {
        private final boolean fifo;

        Queue(int valueRange, boolean fifo) {
            super(valueRange);
            this.fifo = fifo;
        }

        @Override
        Object initialState() {
            return Collections.emptyList();
        }

        @Override
        Invocation nextInvocation(SplittableRandom random) {
            return random.nextBoolean() ? new Invocation("enqueue", uniqueValue()) : new Invocation("dequeue", null);
        }

        @Override
        Result apply(Object state, Invocation invocation, SplittableRandom random) {
            @SuppressWarnings("unchecked")
            List<Object> queue = (List<Object>) state;
            List<Object> changed = new ArrayList<>(queue);
            if (invocation.f().equals("enqueue")) {
                changed.add(invocation.value());
                return new Result(true, invocation.value(), changed);
            }
            if (queue.isEmpty()) {
                return new Result(true, null, queue);
            }
            Object taken = changed.remove(fifo ? 0 : random.nextInt(changed.size()));
            return new Result(true, taken, changed);
        }
    }

    /** Registers :x :y :z changed by transactions of one to three reads and writes. */
    static final class MultiRegister extends Semantics {
        private static final Keyword[] REGISTERS = {Keyword.of("x"), Keyword.of("y"), Keyword.of("z")};
        private static final Keyword READ = Keyword.of("read");
        private static final Keyword WRITE = Keyword.of("write");

        MultiRegister(int valueRange) {
            super(valueRange);
        }

        @Override
        Object initialState() {
            return Collections.emptyMap();
        }

        @Override
        Invocation nextInvocation(SplittableRandom random) {
            List<Object> txn = new ArrayList<>();
            int steps = 1 + random.nextInt(3);
            for (int i = 0; i < steps; i++) {
                Keyword register = REGISTERS[random.nextInt(REGISTERS.length)];
                boolean read = random.nextBoolean();
                txn.add(java.util.Arrays.asList(read ? READ : WRITE, register, read ? null : randomValue(random)));
            }
            return new Invocation("txn", txn);
        }

        @Override
        Result apply(Object state, Invocation invocation, SplittableRandom random) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> registers = new HashMap<>((Map<Object, Object>) state);
            List<Object> completed = new ArrayList<>();
            for (Object step : (List<?>) invocation.value()) {
                List<?> micro = (List<?>) step;
                if (micro.get(0) == READ) {
                    completed.add(java.util.Arrays.asList(READ, micro.get(1), registers.get(micro.get(1))));
                } else {
                    registers.put(micro.get(1), micro.get(2));
                    completed.add(micro);
                }
            }
            return new Result(true, completed, registers);
        }
    }
}
