package leasekv.checker.model;

import java.util.List;

/**
 * A model that can refute some histories without searching: a call that no order of the others could
 * ever allow. The search then stops at once instead of proving it exhaustively, which for a key with
 * thousands of crashed ops could take longer than any limit.
 */
public interface QuickRefutation {
    /** What a quick refutation found: the call and why it can never happen. */
    record Impossible(Call call, String reason) {
    }

    /** The earliest-returning call of known outcome that can never happen, or null. */
    Impossible firstImpossible(List<Call> calls);
}
