package leasekv.checker.search;

import java.util.List;
import leasekv.checker.Validity;
import leasekv.checker.model.Call;

/**
 * What one key's search found. On failure: the call that could not be linearized, the configurations the
 * search reached just before it, and the tail of the longest linearization.
 */
public final class SearchOutcome {
    /** A configuration at the failure point: a model state and the calls invoked but not yet linearized. */
    public record FinalConfig(Object state, List<Call> pending) {
    }

    /** One linearized call and the model state after it. */
    public record Step(Call call, Object stateAfter) {
    }

    private final Validity validity;
    private final String cause;
    private final String reason;
    private final long configurations;
    private final int distinctStates;
    private final long elapsedNanos;
    private final Call failingCall;
    private final List<FinalConfig> finalConfigs;
    private final List<Step> linearizationTail;
    private final int linearizedCount;

    SearchOutcome(Validity validity, String cause, String reason, long configurations, int distinctStates,
            long elapsedNanos, Call failingCall, List<FinalConfig> finalConfigs, List<Step> linearizationTail,
            int linearizedCount) {
        this.validity = validity;
        this.cause = cause;
        this.reason = reason;
        this.configurations = configurations;
        this.distinctStates = distinctStates;
        this.elapsedNanos = elapsedNanos;
        this.failingCall = failingCall;
        this.finalConfigs = finalConfigs;
        this.linearizationTail = linearizationTail;
        this.linearizedCount = linearizedCount;
    }

    /** An unknown outcome for a search that was never run or never returned. */
    public static SearchOutcome abandoned(String cause, String reason) {
        return new SearchOutcome(Validity.UNKNOWN, cause, reason, 0, 0, 0, null, List.of(), List.of(), 0);
    }

    /** Invalid without a search: {@code failing} can never happen, for {@code reason}. */
    public static SearchOutcome refuted(Call failing, String reason, long elapsedNanos) {
        return new SearchOutcome(Validity.INVALID, null, reason, 0, 0, elapsedNanos, failing, List.of(), List.of(), 0);
    }

    public Validity validity() {
        return validity;
    }

    /** For {@code :unknown}: {@code time-limit}, {@code memory-limit} or {@code cancelled}; else null. */
    public String cause() {
        return cause;
    }

    /** For {@code :unknown}: the cause in a sentence; for an invalid key refuted without a search, why. */
    public String reason() {
        return reason;
    }

    public long configurations() {
        return configurations;
    }

    public int distinctStates() {
        return distinctStates;
    }

    public long elapsedNanos() {
        return elapsedNanos;
    }

    /** The call whose completion no linearization could get past; null unless invalid. */
    public Call failingCall() {
        return failingCall;
    }

    public List<FinalConfig> finalConfigs() {
        return finalConfigs;
    }

    /** The last steps (at most 64) of the longest linearization found; empty unless invalid. */
    public List<Step> linearizationTail() {
        return linearizationTail;
    }

    /** How many calls the longest linearization found had linearized. */
    public int linearizedCount() {
        return linearizedCount;
    }
}
