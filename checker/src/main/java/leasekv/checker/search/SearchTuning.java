package leasekv.checker.search;

import java.util.Arrays;
import java.util.List;

/**
 * Which of the search's reductions for crashed calls run. All are on by default; turning one off changes
 * how long a search takes, never its verdict (the tests check verdicts with each one off). The benchmark
 * turns them off to measure what each saves: {@code -Dleasekv.checker.off=prune,lazy}.
 *
 * @param prune drop crashed register calls nobody can observe before the search ({@link UnobservedCrashPruning})
 * @param lazy linearize crashed register calls only right before an observer, and retire them when none is
 *     left ({@link LazyCrashes})
 */
public record SearchTuning(boolean prune, boolean lazy) {
    public static final SearchTuning ALL = new SearchTuning(true, true);
    public static final SearchTuning NONE = new SearchTuning(false, false);
    /** ALL, less what the system property {@code leasekv.checker.off} names. */
    public static final SearchTuning DEFAULT = fromOffList(System.getProperty("leasekv.checker.off", ""));

    static SearchTuning fromOffList(String off) {
        List<String> names = Arrays.asList(off.split(","));
        return new SearchTuning(!names.contains("prune"), !names.contains("lazy"));
    }
}
