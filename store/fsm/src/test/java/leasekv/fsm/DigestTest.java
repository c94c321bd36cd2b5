package leasekv.fsm;

import static leasekv.fsm.FsmTestSupport.b;
import static leasekv.fsm.FsmTestSupport.entry;
import static leasekv.fsm.FsmTestSupport.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.List;
import leasekv.raft.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The digest replicas are compared by: equal for equal states, different for any difference. */
class DigestTest {
  @TempDir Path tmp;
  private int opened;

  private Digest digestAfter(List<Entry> entries) throws Exception {
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(tmp.resolve("fsm" + opened++)))) {
      fsm.apply(entries);
      return fsm.digest();
    }
  }

  private static Entry setBytes(long index, byte[] key, byte[] value) {
    return entry(index, new Command.Set(null, key, value));
  }

  @Test
  void aKeyOfAnotherNameChangesTheDigest() throws Exception {
    assertNotEquals(digestAfter(List.of(entry(1, set("a", "v")))), digestAfter(List.of(entry(1, set("b", "v")))));
  }

  @Test
  void keysAndValuesThatConcatenateAlikeStillDigestApart() throws Exception {
    // Two keys a->x and b->y, against one key whose value (or whose name) swallows the second pair:
    // the digest frames every key and value with its length, so the byte streams cannot line up.
    Digest two = digestAfter(List.of(entry(1, set("a", "x")), entry(2, set("b", "y"))));
    byte[] valueSwallowing = {'x', 0, 0, 0, 2, 1, 'b', 'S', 'y'};
    assertNotEquals(two, digestAfter(List.of(setBytes(1, b("a"), valueSwallowing), Entry.noop(1, 2))));
    byte[] keySwallowing = {'a', 0, 0, 0, 2, 'S', 'x', 1, 'b'};
    assertNotEquals(two, digestAfter(List.of(setBytes(1, keySwallowing, b("y")), Entry.noop(1, 2))));
  }

  @Test
  void deletingAListLeavesNoElementBehind() throws Exception {
    Digest deleted = digestAfter(List.of(entry(1, FsmTestSupport.rpush("l", "e1", "e2")), entry(2, FsmTestSupport.del("l"))));
    assertEquals(digestAfter(List.of(Entry.noop(1, 1), Entry.noop(1, 2))), deleted);
  }
}
