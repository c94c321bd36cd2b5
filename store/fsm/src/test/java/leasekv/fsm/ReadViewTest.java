package leasekv.fsm;

import static leasekv.fsm.FsmTestSupport.b;
import static leasekv.fsm.FsmTestSupport.entry;
import static leasekv.fsm.FsmTestSupport.rpush;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import leasekv.raft.ConfState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** A read view: usable until closed, closed once, and honest about a damaged list. */
class ReadViewTest {
  private final CountingEngine engine = new CountingEngine();

  private StateMachine open() throws IOException {
    return StateMachine.open(engine, SyncMode.NOSYNC, false);
  }

  private static void assertViewClosed(Executable call) {
    IllegalStateException e = assertThrows(IllegalStateException.class, call);
    assertEquals("read view is closed", e.getMessage());
  }

  @Test
  void aClosedViewRefusesEveryReadAndClosingTwiceReleasesOnce() throws Exception {
    StateMachine fsm = open();
    fsm.apply(List.of(entry(1, rpush("l", "a"))));
    ReadView view = fsm.readView();
    view.close();
    assertViewClosed(() -> view.get(b("k")));
    assertViewClosed(() -> view.llen(b("l")));
    assertViewClosed(() -> view.lrange(b("l"), 0, -1));
    assertViewClosed(() -> view.scanAll((k, v) -> true));
    assertDoesNotThrow(view::close);
    assertEquals(1, engine.viewsClosed, "the engine's view is closed once");
    // the read lock was released exactly once: a restore, which waits for every view, goes through
    StateMachine source = StateMachine.open(new leasekv.fsm.testing.MemoryEngine(), SyncMode.NOSYNC, false);
    source.apply(List.of(entry(1, rpush("l", "b"))));
    assertEquals(1, fsm.restoreFromCheckpoint(source.createCheckpoint(new ConfState(List.of("n1")))).index());
  }

  @Test
  void aViewWhoseFirstReadFailsIsClosedAndReleasesTheState() throws Exception {
    StateMachine fsm = open();
    engine.failViewReads = true;
    IOException e = assertThrows(IOException.class, fsm::readView);
    assertEquals("injected view read failure", e.getMessage());
    assertEquals(1, engine.viewsOpened);
    assertEquals(1, engine.viewsClosed);
    engine.failViewReads = false;
    StateMachine source = StateMachine.open(new leasekv.fsm.testing.MemoryEngine(), SyncMode.NOSYNC, false);
    source.apply(List.of(entry(1, rpush("l", "b"))));
    assertEquals(1, fsm.restoreFromCheckpoint(source.createCheckpoint(new ConfState(List.of("n1")))).index(),
        "no read lock was left behind");
  }

  @Test
  void aListMissingAnElementIsReportedNotPaddedWithTheNextKeys() throws Exception {
    StateMachine fsm = open();
    fsm.apply(List.of(entry(1, rpush("l", "a", "b", "c")), entry(2, rpush("m", "x", "y"))));
    EngineBatch damage = new EngineBatch();
    damage.delete(Keys.element(b("l"), 1));
    engine.write(damage, true);
    try (ReadView view = fsm.readView()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> view.lrange(b("l"), 0, -1));
      assertEquals("list [108] is missing element 1 of 3", e.getMessage());
      assertEquals(List.of("x", "y"), view.lrange(b("m"), 0, -1).stream().map(String::new).toList());
    }
  }
}
