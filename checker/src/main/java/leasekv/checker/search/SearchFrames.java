package leasekv.checker.search;

import java.util.Arrays;

/**
 * The search's stack of linearization steps, as parallel arrays: per step the call, the state and the
 * lazy-linearization obligation before it, where the cursor was (pass, choice, region end), and the mark of
 * the crashed calls it retired, so backtracking can restore all of it.
 */
final class SearchFrames {
    private int[] call;
    private int[] state;
    private int[] obligation;
    private int[] pass;
    private int[] branch;
    private int[] regionEnd;
    private int[] retireMark;
    private int depth;

    /** @param expectedDepth how deep the search will likely go: about one frame per call */
    SearchFrames(int expectedDepth) {
        int size = Math.max(64, expectedDepth);
        call = new int[size];
        state = new int[size];
        obligation = new int[size];
        pass = new int[size];
        branch = new int[size];
        regionEnd = new int[size];
        retireMark = new int[size];
    }

    void push(int stepCall, int stateBefore, int obligationBefore, int stepPass, int stepBranch, int stepRegionEnd,
            int stepRetireMark) {
        if (depth == call.length) {
            int size = depth * 2;
            call = Arrays.copyOf(call, size);
            state = Arrays.copyOf(state, size);
            obligation = Arrays.copyOf(obligation, size);
            pass = Arrays.copyOf(pass, size);
            branch = Arrays.copyOf(branch, size);
            regionEnd = Arrays.copyOf(regionEnd, size);
            retireMark = Arrays.copyOf(retireMark, size);
        }
        call[depth] = stepCall;
        state[depth] = stateBefore;
        obligation[depth] = obligationBefore;
        pass[depth] = stepPass;
        branch[depth] = stepBranch;
        regionEnd[depth] = stepRegionEnd;
        retireMark[depth] = stepRetireMark;
        depth++;
    }

    int depth() {
        return depth;
    }

    /** Drops the top frame; its fields stay readable at index {@link #depth()} until the next push. */
    void pop() {
        depth--;
    }

    int call(int frame) {
        return call[frame];
    }

    int stateBefore(int frame) {
        return state[frame];
    }

    int obligationBefore(int frame) {
        return obligation[frame];
    }

    int pass(int frame) {
        return pass[frame];
    }

    int branch(int frame) {
        return branch[frame];
    }

    int regionEnd(int frame) {
        return regionEnd[frame];
    }

    int retireMark(int frame) {
        return retireMark[frame];
    }
}
