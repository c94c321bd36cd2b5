package leasekv.fsm.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link FsmApplyBenchmark}: {@code mvn -B -q -pl store/fsm -am test-compile} and then
 * {@code mvn -B -q -pl store/fsm exec:exec@fsm-bench} (see docs/durability.md). System properties
 * {@code bench.iterations} (default 5) and {@code bench.seconds} (default 3) shorten or lengthen it.
 */
public final class FsmBenchmarkMain {
  private FsmBenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    int iterations = Integer.getInteger("bench.iterations", 5);
    int seconds = Integer.getInteger("bench.seconds", 3);
    Options opts = new OptionsBuilder()
        .include(FsmApplyBenchmark.class.getName())
        .forks(1)
        .warmupIterations(2)
        .warmupTime(TimeValue.seconds(2))
        .measurementIterations(iterations)
        .measurementTime(TimeValue.seconds(seconds))
        .build();
    new Runner(opts).run();
  }
}
