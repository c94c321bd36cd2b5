package leasekv.fsm;

import static leasekv.fsm.FsmTestSupport.b;
import static leasekv.fsm.FsmTestSupport.entry;
import static leasekv.fsm.FsmTestSupport.set;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import leasekv.fsm.testing.MemoryEngine;
import org.junit.jupiter.api.Test;

/** {@link StateMachineCommandsTest} on the simulation's in-memory engine. */
class MemoryStateMachineCommandsTest extends StateMachineCommandsTest {
  @Override
  KvEngine openEngine(Path dir) {
    return new MemoryEngine();
  }

  /**
   * The memory engine's views are not copies (the simulation is single-threaded and reads a view
   * before any other write): reading one after a write fails loudly instead of seeing newer state.
   */
  @Override
  @Test
  void readViewIsASnapshot() throws Exception {
    StateMachine fsm = StateMachine.open(new MemoryEngine(), SyncMode.NOSYNC, false);
    fsm.apply(List.of(entry(1, set("k", "old"))));
    try (ReadView v = fsm.readView()) {
      fsm.apply(List.of(entry(2, set("k", "new"))));
      assertThrows(IllegalStateException.class, () -> v.get(b("k")));
    }
  }
}
