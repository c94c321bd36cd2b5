package leasekv.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The results clients get, and their encoding in the de-duplication table. */
class ApplyResultTest {
  private static ApplyResult roundTrip(ApplyResult r) {
    return ApplyResult.decode(ByteBuffer.wrap(r.encode()));
  }

  @Test
  void everyKindSurvivesTheDeduplicationTable() {
    for (ApplyResult r : new ApplyResult[] {ApplyResult.OK, ApplyResult.NONE, ApplyResult.SKIPPED, ApplyResult.bool(true),
        ApplyResult.bool(false), ApplyResult.integer(-7), ApplyResult.wrongType(), ApplyResult.error("ERR", "stale")}) {
      assertEquals(r, roundTrip(r));
    }
  }

  @Test
  void booleansAndErrorsReadAsWhatTheyAre() {
    assertTrue(ApplyResult.bool(true).asBoolean());
    assertFalse(ApplyResult.bool(false).asBoolean());
    assertEquals(1, ApplyResult.bool(true).number());
    assertTrue(ApplyResult.wrongType().isError());
    assertFalse(ApplyResult.OK.isError());
    assertFalse(ApplyResult.integer(0).isError());
  }

  @Test
  void anErrorNeedsACodeAndAMessage() {
    assertThrows(NullPointerException.class, () -> ApplyResult.error(null, "m"));
    assertThrows(NullPointerException.class, () -> ApplyResult.error("ERR", null));
  }
}
