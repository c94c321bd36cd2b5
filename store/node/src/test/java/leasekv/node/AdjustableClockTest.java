package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdjustableClockTest {
  private final AtomicLong source = new AtomicLong(1_000);
  private final AdjustableClock clock = new AdjustableClock(source::get);

  @Test
  void followsTheSourceAtRateOne() {
    source.addAndGet(500);
    assertEquals(1_500, clock.nanoTime());
  }

  @Test
  void aSlowClockAdvancesLessThanRealTime() {
    clock.setRate(0.5);
    source.addAndGet(1_000);
    assertEquals(1_500, clock.nanoTime());
  }

  @Test
  void aRateChangeDoesNotJumpTheReading() {
    source.addAndGet(1_000);
    long before = clock.nanoTime();
    clock.setRate(2.0);
    assertEquals(before, clock.nanoTime());
    source.addAndGet(100);
    assertEquals(before + 200, clock.nanoTime());
  }

  @Test
  void stepsOnlyGoForward() {
    clock.stepForward(5_000);
    assertEquals(6_000, clock.nanoTime());
    assertThrows(IllegalArgumentException.class, () -> clock.stepForward(-1));
  }

  @Test
  void neverGoesBackwards() {
    clock.setRate(3.0);
    long last = clock.nanoTime();
    for (int i = 0; i < 1_000; i++) {
      source.addAndGet(i % 7);
      if (i % 100 == 0) clock.setRate(0.25 + (i % 300) / 100.0);
      long now = clock.nanoTime();
      assertTrue(now >= last, "clock went back from " + last + " to " + now);
      last = now;
    }
  }

  @Test
  void refusesNonsenseRates() {
    assertThrows(IllegalArgumentException.class, () -> clock.setRate(0));
    assertThrows(IllegalArgumentException.class, () -> clock.setRate(Double.NaN));
  }

  @Test
  void convertsDeadlinesToRealTime() {
    clock.setRate(2.0);
    assertEquals(50, clock.toSourceNanos(100));
  }
}
