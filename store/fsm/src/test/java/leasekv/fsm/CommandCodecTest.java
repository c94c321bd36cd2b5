package leasekv.fsm;

import static leasekv.fsm.FsmTestSupport.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import leasekv.fsm.Command.ClientTag;
import org.junit.jupiter.api.Test;

class CommandCodecTest {
  @Test
  void everyCommandRoundTripsWithBinaryBytes() {
    byte[] binaryKey = {0, (byte) 0xFF, 10, 13, 0};
    byte[] binaryValue = new byte[300];
    for (int i = 0; i < binaryValue.length; i++) binaryValue[i] = (byte) i;
    ClientTag tag = new ClientTag("client-é", 42);
    List<Command> commands = List.of(
        new Command.Set(null, binaryKey, binaryValue),
        new Command.Set(tag, b("k"), new byte[0]),
        new Command.Del(tag, binaryKey),
        new Command.Cas(null, b("k"), binaryValue, b("new")),
        new Command.RPush(tag, b("l"), List.of(b("a"), new byte[0], binaryValue)));
    for (Command c : commands) {
      Command back = CommandCodec.decode(CommandCodec.encode(c));
      assertEquals(c.getClass(), back.getClass());
      assertEquals(c.tag(), back.tag());
      assertArrayEquals(c.key(), back.key());
      assertArrayEquals(CommandCodec.encode(c), CommandCodec.encode(back));
    }
    Command.RPush r = assertInstanceOf(Command.RPush.class, CommandCodec.decode(CommandCodec.encode(commands.get(4))));
    assertArrayEquals(binaryValue, r.values().get(2));
  }

  @Test
  void malformedBytesAreRejectedWithAReason() {
    byte[] good = CommandCodec.encode(new Command.Set(null, b("key"), b("value")));
    assertMessage(new byte[0], "truncated");
    assertMessage(java.util.Arrays.copyOf(good, good.length - 1), "exceeds");
    assertMessage(java.util.Arrays.copyOf(good, good.length + 2), "trailing");
    byte[] badOp = good.clone();
    badOp[1] = 9;
    assertMessage(badOp, "unknown command op 9");
    byte[] badVersion = good.clone();
    badVersion[0] = 7;
    assertMessage(badVersion, "version");
    byte[] rpushZero = {1, 4, 0, 0, 0, 0, 1, 'k', 0, 0, 0, 0};
    assertMessage(rpushZero, "count");
  }

  private static void assertMessage(byte[] bytes, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandCodec.decode(bytes));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
