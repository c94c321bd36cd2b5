package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WallClockTest {
  private final AtomicLong source = new AtomicLong(1_700_000_000_000L);
  private final WallClock clock = new WallClock(source::get);

  @Test
  void followsTheSourceWithoutSteps() {
    source.addAndGet(250);
    assertEquals(1_700_000_000_250L, clock.currentTimeMillis());
    assertEquals(0, clock.offsetMillis());
  }

  @Test
  void stepsGoBackwardAsWellAsForward() {
    clock.step(-5_000);
    assertEquals(1_699_999_995_000L, clock.currentTimeMillis());
    clock.step(2_000);
    assertEquals(-3_000, clock.offsetMillis());
    source.addAndGet(10);
    assertEquals(1_699_999_997_010L, clock.currentTimeMillis());
  }

  @Test
  void resetReturnsToTheSource() {
    clock.step(-60_000);
    clock.reset();
    assertEquals(source.get(), clock.currentTimeMillis());
    assertEquals(0, clock.offsetMillis());
  }

  @Test
  void anOverflowingStepIsRefused() {
    clock.step(Long.MAX_VALUE);
    assertThrows(ArithmeticException.class, () -> clock.step(1));
  }
}
