package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import leasekv.fsm.FsmUnsafe;
import leasekv.raft.UnsafeMode;
import leasekv.replica.UnsafeModes.Mode;
import org.junit.jupiter.api.Test;

/** The --unsafe names: parsed exactly, handed to the layer that implements each, off unless named. */
class UnsafeModesTest {
  @Test
  void nothingIsUnsafeUnlessNamed() {
    for (UnsafeModes none : new UnsafeModes[] {UnsafeModes.NONE, UnsafeModes.parse(""), UnsafeModes.parse(" , ")}) {
      assertFalse(none.any());
      assertEquals(Set.of(), none.modes());
      assertEquals(Set.of(), none.coreModes());
      assertEquals(Set.of(), none.fsmModes());
      assertEquals("", none.names());
      assertEquals("safe", none.toString());
      for (Mode m : Mode.values()) assertFalse(none.has(m), m.cliName());
    }
  }

  @Test
  void everyModeParsesFromItsOwnNameAlone() {
    for (Mode m : Mode.values()) {
      UnsafeModes parsed = UnsafeModes.parse(" " + m.cliName() + " ");
      assertEquals(Set.of(m), parsed.modes());
      assertTrue(parsed.any());
      assertEquals(m.cliName(), parsed.names());
      assertEquals(m.cliName(), parsed.toString());
      assertEquals(parsed.modes(), UnsafeModes.of(m).modes());
    }
  }

  @Test
  void aListNamesSeveralModes() {
    UnsafeModes two = UnsafeModes.parse("dedup-skipped,vote-within-lease");
    assertEquals(EnumSet.of(Mode.DEDUP_SKIPPED, Mode.VOTE_WITHIN_LEASE), two.modes());
    assertEquals("vote-within-lease,dedup-skipped", two.names(), "in the modes' own order");
  }

  @Test
  void anUnknownNameIsRefusedNamingItAndTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnsafeModes.parse("dedup-skipped,nope"));
    assertTrue(e.getMessage().startsWith("unknown mode 'nope'; known modes: lease-from-ack-receipt, "), e.getMessage());
    assertTrue(e.getMessage().endsWith(", log-reset-before-install"), e.getMessage());
    assertEquals(Mode.values().length, UnsafeModes.knownNames().split(", ").length);
  }

  @Test
  void theCoreGetsExactlyTheCoreModes() {
    assertEquals(EnumSet.of(UnsafeMode.VOTE_WITHIN_LEASE, UnsafeMode.KEEP_LEASE_DURING_TRANSFER),
        UnsafeModes.of(Mode.VOTE_WITHIN_LEASE, Mode.KEEP_LEASE_DURING_TRANSFER, Mode.ACK_BEFORE_SYNC, Mode.DEDUP_SKIPPED)
            .coreModes());
    for (UnsafeMode core : UnsafeMode.values()) {
      Mode m = Mode.valueOf(core.name());
      assertEquals(Set.of(core), UnsafeModes.of(m).coreModes(), m.cliName());
      assertEquals(Set.of(), UnsafeModes.of(m).fsmModes(), m.cliName());
    }
  }

  @Test
  void theStateMachineGetsExactlyItsModes() {
    for (FsmUnsafe fsm : FsmUnsafe.values()) {
      Mode m = Mode.valueOf(fsm.name());
      assertEquals(Set.of(fsm), UnsafeModes.of(m).fsmModes(), m.cliName());
      assertEquals(Set.of(), UnsafeModes.of(m).coreModes(), m.cliName());
    }
    assertEquals(EnumSet.allOf(FsmUnsafe.class), UnsafeModes.of(Mode.values()).fsmModes());
  }

  @Test
  void helpListsEveryModeWithItsRuleAndDescriptionOnALine() {
    String[] lines = UnsafeModes.help().split(System.lineSeparator());
    assertEquals(Mode.values().length, lines.length);
    for (int i = 0; i < lines.length; i++) {
      Mode m = Mode.values()[i];
      assertEquals(String.format("  %-32s %-4s %s", m.cliName(), m.rule(), m.description()), lines[i]);
    }
    assertEquals("D7", Mode.LOG_RESET_BEFORE_INSTALL.rule());
  }
}
