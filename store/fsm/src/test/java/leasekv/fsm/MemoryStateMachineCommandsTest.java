package leasekv.fsm;

import java.nio.file.Path;
import leasekv.fsm.testing.MemoryEngine;

/** {@link StateMachineCommandsTest} on the simulation's in-memory engine. */
class MemoryStateMachineCommandsTest extends StateMachineCommandsTest {
  @Override
  KvEngine openEngine(Path dir) {
    return new MemoryEngine();
  }
}
