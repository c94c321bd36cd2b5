package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SteadyClockTest {
  private final AtomicLong source = new AtomicLong(1_000);
  private final SteadyClock clock = new SteadyClock(source::get);

  @Test
  void followsTheSourceWhileItMovesForward() {
    assertEquals(1_000, clock.nanoTime());
    source.addAndGet(250);
    assertEquals(1_250, clock.nanoTime());
    source.addAndGet(10_000); // a forward step is indistinguishable from a pause: passed through
    assertEquals(11_250, clock.nanoTime());
    assertEquals(0, clock.absorbedNanos());
  }

  @Test
  void absorbsABackwardStepAndKeepsTheSourcesRate() {
    source.addAndGet(500);
    assertEquals(1_500, clock.nanoTime());
    source.addAndGet(-800); // stepped back
    assertEquals(1_500, clock.nanoTime(), "never goes back");
    source.addAndGet(100);
    // A clock frozen until the source caught up would still read 1_500 here, stretching a lease.
    assertEquals(1_600, clock.nanoTime(), "continues at the source's rate from where it was");
    assertEquals(800, clock.absorbedNanos());
  }

  @Test
  void absorbsRepeatedBackwardSteps() {
    assertEquals(1_000, clock.nanoTime());
    for (int i = 0; i < 5; i++) {
      source.addAndGet(-100);
      clock.nanoTime();
      source.addAndGet(10);
      clock.nanoTime();
    }
    assertEquals(1_050, clock.nanoTime());
  }
}
