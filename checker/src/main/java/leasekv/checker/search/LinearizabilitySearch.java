package leasekv.checker.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import leasekv.checker.Validity;
import leasekv.checker.history.KeyHistory;
import leasekv.checker.model.Call;
import leasekv.checker.model.Model;
import leasekv.checker.model.QuickRefutation;
import leasekv.checker.model.ValueFlow;

/**
 * The Wing-Gong depth-first search with Lowe's improvements, on one key.
 *
 * <p>Events sit in a doubly linked list in history order. The search repeatedly linearizes a call whose
 * invocation comes before the first remaining return: it applies the call to the model, removes ("lifts")
 * its invocation and return from the list, and starts again at the head. When the first remaining return
 * belongs to a call it could not linearize, it backtracks. Every configuration (set of linearized calls,
 * model state) it reaches is remembered in a {@link ConfigCache}, so no configuration is searched twice.
 *
 * <p>Calls of unknown outcome ({@code :info}, or never completed) have no return event: they may be
 * linearized at any point after their invocation, or never. They live in a second list and are tried only
 * after the calls of known outcome, because a valid history rarely needs them early. Calls of unknown
 * outcome with the same function and value are interchangeable once invoked, so only the earliest one not
 * yet linearized is tried (a symmetry reduction: a dozen crashed writes of the same value are one choice,
 * not a dozen). The search succeeds once every call of known outcome is linearized.
 *
 * <p>On a register ({@link ValueFlow}) two more reductions apply to crashed calls: those whose effect nobody
 * can observe are dropped before the search ({@link UnobservedCrashPruning}), and the others are linearized
 * lazily, only right before a call that observes their value, and retired once no such call is left
 * ({@link LazyCrashes}). The configuration then also records whether the last step was a crashed call that
 * still waits for its observer (the "obligation").
 */
public final class LinearizabilitySearch {
    private static final int TAIL_STEPS = 64;
    private static final int MAX_FINAL_CONFIGS = 16;
    private static final int LIMIT_CHECK_MASK = 1023;

    private final Model model;
    private final SearchLimits limits;
    private final List<Call> calls;
    private final int[] events;
    private final int mainHead;
    private final int mainTail;
    private final int auxHead;
    private final int auxTail;
    private final int urgentHead;
    private final int urgentTail;
    private final int[] next;
    private final int[] prev;
    private final int[] callEvent;
    private final int[] returnEvent;
    private final long[] zobrist;
    private final boolean[] readOnly;
    /** For calls of unknown outcome: the class of interchangeable calls, and the call's rank within it. */
    private final int[] symmetryClass;
    private final int[] symmetryRank;
    private int[] linearizedInClass;
    /**
     * A one-entry memo per call of its last transition (from state id, to state id), since after each
     * linearization the search retries the same calls from the same state. Calls whose step gave
     * {@link Model.Choices} are never memoized.
     */
    private final int[] memoFromState;
    private final int[] memoToState;
    private static final int NO_MEMO = -1;
    private static final int MEMO_INCONSISTENT = -2;
    private static final int MEMO_CHOICES = -3;
    /** Frame marker of a state-preserving call, which is linearized without being a choice. */
    private static final int FORCED = -2;

    /**
     * The search cursor: the event being tried, the pass and the choice. Pass 0 tries calls of unknown
     * outcome that are possible only in some states (a crashed cas: a wrong eager choice fails fast, a missed
     * one shows only much later); pass 1 the calls of known outcome; pass 2 the always-possible calls of
     * unknown outcome (a crashed write), which can as well wait.
     */
    private int node;
    private int pass;
    private int branch;
    private int regionEnd = -1;
    private boolean lastHadChoices;
    private final long[] bits;
    private int firstNonFullWord;
    private int lastNonZeroWord = -1;
    private long bitsHash;

    private final SearchFrames frames;
    /** Lazy linearization of crashed register calls; null for other models or when turned off. */
    private final LazyCrashes lazy;
    /** 1 when the last call linearized was a crashed one that the next call must observe, else 0. */
    private int obligation;

    private final boolean checkDeadEnds;
    private final StateTable states;
    private final ConfigCache cache;
    private int stateId;
    private int definiteRemaining;

    private int bestBlockedEvent = -1;
    /**
     * Where the search got stuck furthest: the states there, each with a copy of the linearized set (the
     * words past the leading all-ones ones) from which the pending calls are listed if the key turns out
     * invalid; and the last steps of the path there, as (call, state after) ids. Copies, not reports, because
     * a valid search passes a new furthest point at almost every return.
     */
    private final List<Integer> finalConfigStates = new ArrayList<>();
    private final List<long[]> finalConfigBits = new ArrayList<>();
    private final List<Integer> finalConfigFirstWords = new ArrayList<>();
    private final int[] bestTailCalls = new int[TAIL_STEPS];
    private final int[] bestTailStates = new int[TAIL_STEPS];
    private int bestTailLength;
    private int bestDepth;

    private LinearizabilitySearch(KeyHistory history, Model model, SearchLimits limits, SearchTuning tuning) {
        this.model = model.forKey(history.calls());
        this.limits = limits;
        this.calls = history.calls();
        this.events = history.events();
        int eventCount = events.length;
        mainHead = eventCount;
        mainTail = eventCount + 1;
        auxHead = eventCount + 2;
        auxTail = eventCount + 3;
        urgentHead = eventCount + 4;
        urgentTail = eventCount + 5;
        next = new int[eventCount + 6];
        prev = new int[eventCount + 6];
        callEvent = new int[calls.size()];
        returnEvent = new int[calls.size()];
        zobrist = new long[calls.size()];
        readOnly = new boolean[calls.size()];
        memoFromState = new int[calls.size()];
        memoToState = new int[calls.size()];
        java.util.Arrays.fill(memoFromState, NO_MEMO);
        symmetryClass = new int[calls.size()];
        symmetryRank = new int[calls.size()];
        bits = new long[(calls.size() + 63) >>> 6];
        checkDeadEnds = this.model.hasDeadEnds();
        states = new StateTable(this.model, limits);
        cache = new ConfigCache(limits, calls.size());
        frames = new SearchFrames(calls.size() + 1);
        linkEvents();
        // Lazy linearization only matters with crashed calls, the calls with one event instead of two.
        lazy = tuning.lazy() && this.model instanceof ValueFlow && events.length < 2 * calls.size()
                ? new LazyCrashes(calls, (ValueFlow) this.model, new LazyCrashes.Retirement() {
                    @Override
                    public void retire(int call) {
                        unlink(callEvent[call]);
                        setBit(call);
                    }

                    @Override
                    public void restore(int call) {
                        clearBit(call);
                        relink(callEvent[call]);
                    }
                }) : null;
    }

    /** Searches one key; never throws for limits, which become {@code :unknown}. */
    public static SearchOutcome run(KeyHistory history, Model model, SearchLimits limits) {
        return run(history, model, limits, SearchTuning.DEFAULT);
    }

    /** Searches one key with the given reductions; the verdict does not depend on them. */
    public static SearchOutcome run(KeyHistory history, Model model, SearchLimits limits, SearchTuning tuning) {
        long start = System.nanoTime();
        QuickRefutation.Impossible impossible = model instanceof QuickRefutation
                ? ((QuickRefutation) model).firstImpossible(history.calls()) : null;
        if (impossible == null) {
            return searchOnce(history, model, limits, tuning, start);
        }
        // The history is invalid for sure. Search only up to the impossible call's completion, to report the
        // first op that fails (maybe an earlier one); if that search hits a limit, report the impossible call.
        KeyHistory prefix = history.prefixThrough(impossible.call().returnPosition(), model::isReadOnly);
        SearchOutcome searched = searchOnce(prefix, model, limits.within(limits.timeLimitNanos() / 4), tuning, start);
        return searched.validity() == Validity.INVALID ? searched
                : SearchOutcome.refuted(impossible.call(), impossible.reason(), System.nanoTime() - start);
    }

    private static SearchOutcome searchOnce(KeyHistory history, Model model, SearchLimits limits, SearchTuning tuning,
            long start) {
        LinearizabilitySearch search = null;
        try {
            limits.check(0);
            KeyHistory searched = tuning.prune() ? UnobservedCrashPruning.prune(history, model).history() : history;
            search = new LinearizabilitySearch(searched, model, limits, tuning);
            return search.search(start);
        } catch (SearchAborted aborted) {
            return unknown(aborted.causeName(), aborted.getMessage(), search, start);
        } catch (OutOfMemoryError heapExhausted) {
            // The budget should stop us first; this is the last line of defence if the estimate was off.
            search = null;
            return unknown("memory-limit", "the JVM heap ran out during the search", null, start);
        } finally {
            if (search != null) {
                search.cache.releaseAll();
                search.states.release();
            }
        }
    }

    private static SearchOutcome unknown(String cause, String reason, LinearizabilitySearch search, long start) {
        long configurations = search == null ? 0 : search.cache.size();
        int distinct = search == null ? 0 : search.states.size();
        return new SearchOutcome(Validity.UNKNOWN, cause, reason, configurations, distinct, System.nanoTime() - start,
                null, List.of(), List.of(), 0);
    }

    private void linkEvents() {
        next[mainHead] = mainTail;
        prev[mainTail] = mainHead;
        next[auxHead] = auxTail;
        prev[auxTail] = auxHead;
        next[urgentHead] = urgentTail;
        prev[urgentTail] = urgentHead;
        java.util.Arrays.fill(returnEvent, -1);
        for (int event = 0; event < events.length; event++) {
            int call = KeyHistory.callOf(events[event]);
            if (KeyHistory.isReturn(events[event])) {
                returnEvent[call] = event;
                append(event, mainTail);
            } else {
                callEvent[call] = event;
                Call c = calls.get(call);
                append(event, c.outcomeKnown() ? mainTail : model.isAlwaysPossible(c) ? auxTail : urgentTail);
            }
        }
        for (int call = 0; call < calls.size(); call++) {
            zobrist[call] = mix(call + 0x5DEECE66DL);
            readOnly[call] = model.isReadOnly(calls.get(call));
            if (calls.get(call).outcomeKnown()) {
                definiteRemaining++;
            }
        }
        classifyInterchangeableCalls();
    }

    private void classifyInterchangeableCalls() {
        java.util.Map<List<Object>, Integer> classes = new java.util.HashMap<>();
        List<Integer> sizes = new ArrayList<>();
        for (int call = 0; call < calls.size(); call++) {
            Call c = calls.get(call);
            if (c.outcomeKnown()) {
                symmetryClass[call] = -1;
                continue;
            }
            List<Object> signature = java.util.Arrays.asList(c.fKeyword(), c.value());
            Integer id = classes.get(signature);
            if (id == null) {
                id = sizes.size();
                classes.put(signature, id);
                sizes.add(0);
            }
            symmetryClass[call] = id;
            symmetryRank[call] = sizes.get(id);
            sizes.set(id, sizes.get(id) + 1);
        }
        linearizedInClass = new int[sizes.size()];
    }

    /** An interchangeable call is tried only if every earlier one of its class is already linearized. */
    private boolean isCanonical(int call) {
        int symmetry = symmetryClass[call];
        return symmetry < 0 || symmetryRank[call] == linearizedInClass[symmetry];
    }

    private void append(int node, int tail) {
        int last = prev[tail];
        next[last] = node;
        prev[node] = last;
        next[node] = tail;
        prev[tail] = node;
    }

    private SearchOutcome search(long start) {
        stateId = states.intern(model.initialState(), 0);
        if (lazy != null) {
            lazy.retireUnobserved();
        }
        cache.add(configHash(stateId, obligation), cacheKey(stateId, obligation), bits, firstNonFullWord, lastNonZeroWord);
        boolean fresh = true;
        long steps = 0;
        while (definiteRemaining > 0) {
            if ((++steps & LIMIT_CHECK_MASK) == 0) {
                limits.check(cache.size());
            }
            if (fresh) {
                fresh = false;
                int preserving = statePreservingCall();
                if (preserving >= 0) {
                    // Linearizing it now is never worse than later, so it is not a choice: no branching, and
                    // if the configuration after it was already searched in vain, so is this one.
                    if (tryLinearize(preserving, stateId, 0, FORCED, -1)) {
                        fresh = true;
                    } else if (!backtrack()) {
                        return invalid(start);
                    }
                    continue;
                }
                regionEnd = firstReturn();
                node = next[urgentHead];
                pass = 0;
                branch = 0;
            }
            if (pass == 0 && (node == urgentTail || node > regionEnd)) {
                // Calls of unknown outcome that are possible only in some states were tried; now the known.
                pass = 1;
                node = next[mainHead];
                branch = 0;
                continue;
            }
            if (pass == 1 && node == regionEnd) {
                // Every call of known outcome before the first return has been tried; now the other unknown.
                pass = 2;
                node = next[auxHead];
                branch = 0;
                continue;
            }
            if (pass == 2 && (node == auxTail || node > regionEnd)) {
                noteBlocked(regionEnd);
                if (!backtrack()) {
                    return invalid(start);
                }
                continue;
            }
            int call = KeyHistory.callOf(events[node]);
            if (!isCanonical(call) || !mayComeNext(call)) {
                node = next[node];
                branch = 0;
                continue;
            }
            int nextState = transition(call, branch);
            boolean hasChoices = lastHadChoices;
            if (nextState != MEMO_INCONSISTENT) {
                if (tryLinearize(call, nextState, pass, hasChoices ? branch : -1, regionEnd)) {
                    fresh = true;
                    continue;
                }
                if (hasChoices) {
                    branch++;
                    continue;
                }
            }
            node = next[node];
            branch = 0;
        }
        return new SearchOutcome(Validity.VALID, null, null, cache.size(), states.size(), System.nanoTime() - start,
                null, List.of(), List.of(), calls.size());
    }

    /**
     * Linearizes {@code call}, leaving state {@code nextState}, unless the configuration that gives was
     * searched before; true if it did. The frame records the cursor ({@code stepPass}, {@code stepBranch},
     * {@code stepRegionEnd}) for backtracking.
     */
    private boolean tryLinearize(int call, int nextState, int stepPass, int stepBranch, int stepRegionEnd) {
        setBit(call);
        int retireMark = 0;
        int nextObligation = 0;
        if (lazy != null) {
            retireMark = lazy.mark();
            lazy.linearized(call);
            nextObligation = lazy.isCrashed(call) ? 1 : 0;
        }
        if (cache.add(configHash(nextState, nextObligation), cacheKey(nextState, nextObligation), bits,
                firstNonFullWord, lastNonZeroWord)) {
            frames.push(call, stateId, obligation, stepPass, stepBranch, stepRegionEnd, retireMark);
            linearize(call, nextState);
            obligation = nextObligation;
            return true;
        }
        if (lazy != null) {
            lazy.undo(call, retireMark);
        }
        clearBit(call);
        return false;
    }

    /**
     * With lazy linearization: right after a crashed call only a call that observes its value may come, and
     * a crashed call is tried only if some call that could come next observes its value.
     */
    private boolean mayComeNext(int call) {
        if (lazy == null) {
            return true;
        }
        if (obligation == 1 && !lazy.observes(call)) {
            return false;
        }
        return !lazy.isCrashed(call) || hasObserverInRegion(call);
    }

    /**
     * True if a call that may be linearized right after {@code crashedCall} may need the value it writes: a
     * call of known outcome invoked before the first return, or any crashed call still open (an over-estimate,
     * which only costs a step that the obligation then ends).
     */
    private boolean hasObserverInRegion(int crashedCall) {
        if (lazy.hasOpenCrashedObserver(crashedCall)) {
            return true;
        }
        for (int n = next[mainHead]; n != mainTail && n < regionEnd; n = next[n]) {
            if (!KeyHistory.isReturn(events[n]) && lazy.observesValueOf(KeyHistory.callOf(events[n]), crashedCall)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Undoes linearizations up to the last real choice and moves the cursor to its next alternative;
     * false when there is none left anywhere, i.e. the key is not linearizable.
     */
    private boolean backtrack() {
        while (frames.depth() > 0) {
            frames.pop();
            int frame = frames.depth();
            int call = frames.call(frame);
            unlinearize(call, frames.stateBefore(frame), frames.retireMark(frame));
            obligation = frames.obligationBefore(frame);
            if (frames.branch(frame) == FORCED) {
                continue;
            }
            pass = frames.pass(frame);
            regionEnd = frames.regionEnd(frame);
            if (frames.branch(frame) < 0) {
                node = next[callEvent[call]];
                branch = 0;
            } else {
                node = callEvent[call];
                branch = frames.branch(frame) + 1;
            }
            return true;
        }
        return false;
    }

    /**
     * A read-only call of known outcome, invoked before the first return, that is possible now. Moving it
     * from wherever a linearization puts it to here keeps that linearization valid: it changes no state
     * there and is consistent here. (A write of the current value is not such a call: where it really
     * belongs it may change the state.)
     */
    private int statePreservingCall() {
        for (int n = next[mainHead]; n != mainTail && !KeyHistory.isReturn(events[n]); n = next[n]) {
            int call = KeyHistory.callOf(events[n]);
            if (readOnly[call] && (obligation == 0 || lazy.observes(call)) && transition(call, 0) == stateId
                    && !lastHadChoices) {
                return call;
            }
        }
        return -1;
    }

    /** The first return event left in the list: calls invoked before it are the candidates. */
    private int firstReturn() {
        int n = next[mainHead];
        while (!KeyHistory.isReturn(events[n])) {
            n = next[n];
        }
        return n;
    }

    /**
     * The state id after {@code call} (its {@code branch}-th choice) in the current state, or
     * MEMO_INCONSISTENT; sets {@link #lastHadChoices}.
     */
    private int transition(int call, int branch) {
        int memo = memoFromState[call] == stateId && branch == 0 ? memoToState[call] : NO_MEMO;
        if (memo != NO_MEMO && memo != MEMO_CHOICES) {
            lastHadChoices = false;
            return memo;
        }
        Object result = model.step(states.state(stateId), calls.get(call));
        lastHadChoices = result instanceof Model.Choices;
        if (lastHadChoices) {
            List<Object> choices = ((Model.Choices) result).states();
            result = branch < choices.size() ? choices.get(branch) : Model.INCONSISTENT;
        } else if (branch > 0) {
            result = Model.INCONSISTENT;
        }
        if (result != Model.INCONSISTENT && checkDeadEnds && leavesDeadEnd(result, call)) {
            result = Model.INCONSISTENT;
        }
        int nextState = result == Model.INCONSISTENT ? MEMO_INCONSISTENT : states.intern(result, cache.size());
        if (branch == 0 && !checkDeadEnds) {
            memoFromState[call] = stateId;
            memoToState[call] = lastHadChoices ? MEMO_CHOICES : nextState;
        }
        return nextState;
    }

    /**
     * True if, after {@code call} leaves {@code state}, some other call of known outcome invoked before the
     * first return can never happen: every completion of the search must still linearize it.
     */
    private boolean leavesDeadEnd(Object state, int call) {
        for (int node = next[mainHead]; node != mainTail && !KeyHistory.isReturn(events[node]); node = next[node]) {
            int pending = KeyHistory.callOf(events[node]);
            if (pending != call && model.isDeadEnd(state, calls.get(pending))) {
                return true;
            }
        }
        return false;
    }

    private void linearize(int call, int nextState) {
        lift(call);
        if (symmetryClass[call] >= 0) {
            linearizedInClass[symmetryClass[call]]++;
        }
        stateId = nextState;
        if (returnEvent[call] >= 0) {
            definiteRemaining--;
        }
    }

    private void unlinearize(int call, int previousState, int retireMark) {
        unlift(call);
        if (symmetryClass[call] >= 0) {
            linearizedInClass[symmetryClass[call]]--;
        }
        if (lazy != null) {
            lazy.undo(call, retireMark);
        }
        clearBit(call);
        stateId = previousState;
        if (returnEvent[call] >= 0) {
            definiteRemaining++;
        }
    }

    private void lift(int call) {
        unlink(callEvent[call]);
        if (returnEvent[call] >= 0) {
            unlink(returnEvent[call]);
        }
    }

    private void unlift(int call) {
        if (returnEvent[call] >= 0) {
            relink(returnEvent[call]);
        }
        relink(callEvent[call]);
    }

    private void unlink(int node) {
        next[prev[node]] = next[node];
        prev[next[node]] = prev[node];
    }

    private void relink(int node) {
        next[prev[node]] = node;
        prev[next[node]] = node;
    }

    private void setBit(int call) {
        int word = call >>> 6;
        bits[word] |= 1L << call;
        bitsHash ^= zobrist[call];
        if (word > lastNonZeroWord) {
            lastNonZeroWord = word;
        }
        while (firstNonFullWord < bits.length && bits[firstNonFullWord] == -1L) {
            firstNonFullWord++;
        }
    }

    private void clearBit(int call) {
        int word = call >>> 6;
        bits[word] &= ~(1L << call);
        bitsHash ^= zobrist[call];
        if (word < firstNonFullWord) {
            firstNonFullWord = word;
        }
        while (lastNonZeroWord >= 0 && bits[lastNonZeroWord] == 0) {
            lastNonZeroWord--;
        }
    }

    /** The state part of a configuration: the model state's id and the lazy-linearization obligation. */
    private static int cacheKey(int state, int stateObligation) {
        return state << 1 | stateObligation;
    }

    private long configHash(int state, int stateObligation) {
        return bitsHash ^ mix(cacheKey(state, stateObligation) * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
    }

    /** Remembers the furthest return the search got stuck at, with the configurations stuck there. */
    private void noteBlocked(int returnNode) {
        if (returnNode > bestBlockedEvent) {
            bestBlockedEvent = returnNode;
            finalConfigStates.clear();
            finalConfigBits.clear();
            finalConfigFirstWords.clear();
            rememberTail();
        }
        if (returnNode == bestBlockedEvent && finalConfigStates.size() < MAX_FINAL_CONFIGS
                && !finalConfigStates.contains(stateId)) {
            finalConfigStates.add(stateId);
            finalConfigFirstWords.add(firstNonFullWord);
            finalConfigBits.add(java.util.Arrays.copyOfRange(bits, firstNonFullWord, Math.max(firstNonFullWord,
                    lastNonZeroWord + 1)));
        }
    }

    private void rememberTail() {
        int depth = frames.depth();
        bestDepth = depth;
        bestTailLength = Math.min(depth, TAIL_STEPS);
        for (int i = 0; i < bestTailLength; i++) {
            int frame = depth - bestTailLength + i;
            bestTailCalls[i] = frames.call(frame);
            bestTailStates[i] = frame + 1 < depth ? frames.stateBefore(frame + 1) : stateId;
        }
    }

    private List<SearchOutcome.Step> bestTail() {
        List<SearchOutcome.Step> tail = new ArrayList<>(bestTailLength);
        for (int i = 0; i < bestTailLength; i++) {
            tail.add(new SearchOutcome.Step(calls.get(bestTailCalls[i]), states.state(bestTailStates[i])));
        }
        return Collections.unmodifiableList(tail);
    }

    /** The calls invoked before {@code returnNode} that the remembered linearized set does not hold. */
    private List<Call> pendingBefore(int returnNode, long[] window, int firstWord) {
        List<Call> pending = new ArrayList<>();
        for (int call = firstWord << 6; call < calls.size() && callEvent[call] < returnNode; call++) {
            int word = (call >>> 6) - firstWord;
            boolean linearized = word < window.length && (window[word] & (1L << call)) != 0;
            if (!linearized) {
                pending.add(calls.get(call));
            }
        }
        return pending;
    }

    private SearchOutcome invalid(long start) {
        Call failing = calls.get(KeyHistory.callOf(events[bestBlockedEvent]));
        List<SearchOutcome.FinalConfig> finalConfigs = new ArrayList<>(finalConfigStates.size());
        for (int i = 0; i < finalConfigStates.size(); i++) {
            finalConfigs.add(new SearchOutcome.FinalConfig(states.state(finalConfigStates.get(i)),
                    pendingBefore(bestBlockedEvent, finalConfigBits.get(i), finalConfigFirstWords.get(i))));
        }
        return new SearchOutcome(Validity.INVALID, null, null, cache.size(), states.size(), System.nanoTime() - start,
                failing, List.copyOf(finalConfigs), bestTail(), bestDepth);
    }

    /** SplitMix64's finalizer: spreads bits so nearby inputs give unrelated hashes. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
