package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import leasekv.raft.RaftConfig;
import leasekv.raft.RaftCore;
import leasekv.raft.Role;
import leasekv.raft.testing.ManualClock;
import leasekv.raft.testing.MemoryLogStorage;
import org.junit.jupiter.api.Test;

/** The replica's tick schedule: one tick per tickNanos, a few at most after a stall, none before a quorum is reachable. */
class TickerTest {
  private static final long TICK = 10;
  private final ManualClock clock = new ManualClock(1_000);
  private final RaftCore core = new RaftCore(RaftConfig.builder("n1").tickNanos(TICK).electionTimeoutTicks(3).heartbeatIntervalTicks(1)
      .initialVoters(List.of("n1")).build(), new MemoryLogStorage(), clock, new Random(1));

  @Test
  void ticksOncePerTickAndNotBefore() {
    Ticker ticker = new Ticker(TICK, 1_000, () -> true);
    assertEquals(1_010, ticker.nextTickNanos());
    assertEquals(0, ticker.tickIfDue(core, 1_009));
    assertEquals(1, ticker.tickIfDue(core, 1_010));
    assertEquals(1_020, ticker.nextTickNanos());
    assertEquals(1, ticker.tickIfDue(core, 1_025));
    assertEquals(1_030, ticker.nextTickNanos(), "on the schedule, not from the late call");
    assertEquals(2, ticker.tickIfDue(core, 1_040));
    assertEquals(1_050, ticker.nextTickNanos());
  }

  @Test
  void afterAStallOnlyAFewTicksAreReplayedAndTheScheduleRestartsFromNow() {
    Ticker ticker = new Ticker(TICK, 1_000, () -> true);
    assertEquals(Ticker.MAX_CATCH_UP_TICKS, ticker.tickIfDue(core, 1_000 + 100 * TICK));
    assertEquals(1_000 + 101 * TICK, ticker.nextTickNanos());
    Ticker exact = new Ticker(TICK, 1_000, () -> true);
    assertEquals(3, exact.tickIfDue(core, 1_030));
    assertEquals(1_040, exact.nextTickNanos(), "exactly caught up: the schedule goes on");
    Ticker behind = new Ticker(TICK, 1_000, () -> true);
    assertEquals(3, behind.tickIfDue(core, 1_040));
    assertEquals(1_050, behind.nextTickNanos(), "a fourth tick was due at 1_040: the schedule restarts from now");
  }

  @Test
  void noTickUntilTheControlLanesReachAQuorumAndThenTheGateStaysOpen() {
    AtomicBoolean reaches = new AtomicBoolean(false);
    AtomicInteger asked = new AtomicInteger();
    Ticker ticker = new Ticker(TICK, 1_000, () -> {
      asked.incrementAndGet();
      return reaches.get();
    });
    assertEquals(0, ticker.tickIfDue(core, 1_010));
    assertEquals(1_020, ticker.nextTickNanos(), "asks again a tick later");
    assertEquals(0, ticker.tickIfDue(core, 1_015));
    assertEquals(1, asked.get(), "not before the next tick is due");
    reaches.set(true);
    assertEquals(1, ticker.tickIfDue(core, 1_020));
    reaches.set(false); // a lost connection later does not stop the ticks
    assertEquals(1, ticker.tickIfDue(core, 1_030));
    assertEquals(2, asked.get());
  }

  @Test
  void theTicksReachTheCore() {
    Ticker ticker = new Ticker(TICK, 1_000, () -> true);
    long now = 1_000;
    for (int i = 0; i < 10; i++) ticker.tickIfDue(core, now += TICK);
    assertNotEquals(Role.FOLLOWER, core.status().role(), "a lone voter campaigned after its election timeout");
  }
}
