package leasekv.checker.model;

import java.util.Collections;
import leasekv.checker.edn.Keyword;

/** A lock: {@code :acquire} needs it free, {@code :release} needs it held. The state is whether it is held. */
public final class MutexModel implements Model {
    private static final Keyword ACQUIRE = Keyword.of("acquire");
    private static final Keyword RELEASE = Keyword.of("release");
    private static final Keyword LOCKED = Keyword.of("locked");

    private final boolean initiallyHeld;

    public MutexModel(boolean initiallyHeld) {
        this.initiallyHeld = initiallyHeld;
    }

    /** Reads {@code :free}, {@code :held}, {@code true}, {@code false} or nil (free). */
    public static boolean parseHeld(Object initial) {
        if (initial == null || Boolean.FALSE.equals(initial)) {
            return false;
        }
        if (Boolean.TRUE.equals(initial)) {
            return true;
        }
        String name = leasekv.checker.Values.isNameLike(initial) ? leasekv.checker.Values.name(initial) : "";
        switch (name) {
            case "free": case "unlocked": case "released": return false;
            case "held": case "locked": case "acquired": return true;
            default: throw new IllegalArgumentException("a mutex starts :free or :held, not " + initial);
        }
    }

    @Override
    public String name() {
        return "mutex";
    }

    @Override
    public Object initialState() {
        return initiallyHeld;
    }

    @Override
    public void validate(Call call) {
        if (call.fKeyword() != ACQUIRE && call.fKeyword() != RELEASE) {
            throw new IllegalArgumentException("the mutex model knows :acquire and :release, not :" + call.f());
        }
    }

    @Override
    public Object step(Object state, Call call) {
        boolean held = (Boolean) state;
        if (call.fKeyword() == ACQUIRE) {
            return held ? INCONSISTENT : Boolean.TRUE;
        }
        return held ? Boolean.FALSE : INCONSISTENT;
    }

    @Override
    public Object stateToEdn(Object state) {
        return Collections.singletonMap(LOCKED, state);
    }

    @Override
    public String explainInconsistency(Object state, Call call) {
        return call.fKeyword() == ACQUIRE ? "acquired a lock that was already held" : "released a lock that was not held";
    }
}
