package leasekv.checker.search;

import java.util.Arrays;

/**
 * The search's stack of linearization steps, as parallel arrays: per step the call, the state and the
 * lazy-linearization obligation before it, where the cursor was (pass, choice, region end), and the mark of
 * the crashed calls it retired, so backtracking can restore all of it.
 */
final class SearchFrames {
    private int[] call = new int[64];
    private int[] state = new int[64];
    private int[] obligation = new int[64];
    private int[] pass = new int[64];
    private int[] branch = new int[64];
    private int[] regionEnd = new int[64];
    private int[] retireMark = new int[64];
    private int depth;

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
