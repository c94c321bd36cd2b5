package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads waiting for their fence (lease rule L9): released in index order, never before their index. */
class AppliedWaitersTest {
  @Test
  void aCallbackForAReachedIndexRunsAtOnceOnTheCallersThread() {
    AppliedWaiters waiters = new AppliedWaiters(5);
    List<String> ran = new ArrayList<>();
    waiters.whenApplied(5, () -> ran.add("at 5"));
    waiters.whenApplied(3, () -> ran.add("at 3"));
    assertEquals(List.of("at 5", "at 3"), ran);
    assertEquals(0, waiters.waiting());
  }

  @Test
  void aCallbackWaitsUntilItsIndexIsAppliedAndRunsOnce() {
    AppliedWaiters waiters = new AppliedWaiters(5);
    List<String> ran = new ArrayList<>();
    waiters.whenApplied(6, () -> ran.add("at 6"));
    waiters.whenApplied(8, () -> ran.add("at 8"));
    assertEquals(List.of(), ran, "index 5 is applied, 6 is not");
    assertEquals(2, waiters.waiting());
    waiters.release(7);
    assertEquals(List.of("at 6"), ran);
    assertEquals(1, waiters.waiting());
    waiters.release(8);
    waiters.release(8);
    assertEquals(List.of("at 6", "at 8"), ran);
    assertEquals(0, waiters.waiting());
  }

  @Test
  void callbacksRunInIndexOrderThenInTheOrderTheyCame() {
    AppliedWaiters waiters = new AppliedWaiters(0);
    List<String> ran = new ArrayList<>();
    waiters.whenApplied(9, () -> ran.add("9a"));
    waiters.whenApplied(4, () -> ran.add("4a"));
    waiters.whenApplied(9, () -> ran.add("9b"));
    waiters.whenApplied(4, () -> ran.add("4b"));
    waiters.whenApplied(7, () -> ran.add("7"));
    waiters.release(10);
    assertEquals(List.of("4a", "4b", "7", "9a", "9b"), ran);
  }

  @Test
  void aLowerReleaseNeverMovesTheAppliedIndexBack() {
    AppliedWaiters waiters = new AppliedWaiters(0);
    waiters.release(10);
    waiters.release(4); // a late report of an older batch
    assertEquals(10, waiters.applied());
    List<String> ran = new ArrayList<>();
    waiters.whenApplied(9, () -> ran.add("at 9"));
    assertEquals(List.of("at 9"), ran, "index 9 is still applied");
  }
}
