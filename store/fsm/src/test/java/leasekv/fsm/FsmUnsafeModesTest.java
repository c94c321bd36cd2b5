package leasekv.fsm;

import static leasekv.fsm.FsmTestSupport.b;
import static leasekv.fsm.FsmTestSupport.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import leasekv.fsm.testing.MemoryEngine;
import org.junit.jupiter.api.Test;

/** Each of the state machine's unsafe modes breaks its durability rule, and the safe one does not. */
class FsmUnsafeModesTest {
  private static final Command.ClientTag TAG = new Command.ClientTag("c1", 7);

  private static Command push(String element) {
    return new Command.RPush(TAG, b("list"), List.of(b(element)));
  }

  private static List<String> list(StateMachine fsm) throws Exception {
    List<String> out = new ArrayList<>();
    try (ReadView v = fsm.readView()) {
      for (byte[] e : v.lrange(b("list"), 0, -1)) out.add(new String(e));
    }
    return out;
  }

  @Test
  void aRetryIsAnsweredFromTheDedupTableUnlessDedupIsSkipped() throws Exception {
    StateMachine safe = StateMachine.open(new MemoryEngine(), SyncMode.NOSYNC, Set.of());
    safe.apply(List.of(entry(1, push("x")), entry(2, push("x"))));
    assertEquals(List.of("x"), list(safe), "rule D2: the retry (same tag) applies once");

    StateMachine unsafe = StateMachine.open(new MemoryEngine(), SyncMode.NOSYNC, EnumSet.of(FsmUnsafe.DEDUP_SKIPPED));
    unsafe.apply(List.of(entry(1, push("x")), entry(2, push("x"))));
    assertEquals(List.of("x", "x"), list(unsafe), "dedup-skipped applies the retry again");
  }

  @Test
  void aPowerLossBetweenDataAndDedupRecordAppliesALaterRetryTwice() throws Exception {
    for (boolean unsafe : new boolean[] {false, true}) {
      MemoryEngine disk = new MemoryEngine();
      Set<FsmUnsafe> modes = unsafe ? EnumSet.of(FsmUnsafe.DEDUP_OUTSIDE_BATCH) : Set.of();
      StateMachine fsm = StateMachine.open(disk, SyncMode.NOSYNC, modes);
      fsm.apply(List.of(entry(1, push("x"))));
      disk.powerLoss(new Random(0) {
        @Override
        public int nextInt(int bound) {
          return bound - 2; // keep every unsynced batch but the last
        }
      });
      StateMachine recovered = StateMachine.open(disk, SyncMode.NOSYNC, modes);
      recovered.apply(List.of(entry(recovered.appliedIndex() + 1, push("x")))); // the retry, committed later
      assertEquals(unsafe ? List.of("x", "x") : List.of("x"), list(recovered),
          unsafe ? "dedup-outside-batch: the data survived without its de-dup record" : "rule D2 holds");
    }
  }
}
