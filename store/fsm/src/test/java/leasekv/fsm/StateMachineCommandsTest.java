package leasekv.fsm;

import static leasekv.fsm.FsmTestSupport.b;
import static leasekv.fsm.FsmTestSupport.cas;
import static leasekv.fsm.FsmTestSupport.del;
import static leasekv.fsm.FsmTestSupport.entry;
import static leasekv.fsm.FsmTestSupport.rpush;
import static leasekv.fsm.FsmTestSupport.s;
import static leasekv.fsm.FsmTestSupport.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands' semantics, on RocksDB; {@link MemoryStateMachineCommandsTest} runs the same tests on
 * the simulation's in-memory engine, so the simulation's state machine behaves as the node's does.
 */
class StateMachineCommandsTest {
  @TempDir Path dir;
  private StateMachine fsm;
  private long next = 1;

  /** The engine under test. */
  KvEngine openEngine(Path dir) throws Exception {
    return RocksEngine.open(dir, false);
  }

  @BeforeEach
  void open() throws Exception {
    fsm = StateMachine.open(openEngine(dir), SyncMode.NOSYNC, false);
  }

  @AfterEach
  void close() throws Exception {
    fsm.close();
  }

  private ApplyResult apply(Command c) throws Exception {
    return fsm.apply(List.of(entry(next++, c))).get(0);
  }

  private String get(String k) throws Exception {
    try (ReadView v = fsm.readView()) {
      return s(v.get(b(k)));
    }
  }

  private List<String> lrange(String k, long start, long stop) throws Exception {
    try (ReadView v = fsm.readView()) {
      List<String> out = new ArrayList<>();
      for (byte[] e : v.lrange(b(k), start, stop)) out.add(s(e));
      return out;
    }
  }

  @Test
  void setGetDelCas() throws Exception {
    assertNull(get("k"));
    assertEquals(ApplyResult.OK, apply(set("k", "v1")));
    assertEquals("v1", get("k"));
    assertEquals(ApplyResult.bool(false), apply(cas(null, "k", "nope", "v2")));
    assertEquals(ApplyResult.bool(true), apply(cas(null, "k", "v1", "v2")));
    assertEquals("v2", get("k"));
    assertEquals(ApplyResult.bool(false), apply(cas(null, "absent", "", "x")), "CAS on an absent key fails");
    assertEquals(ApplyResult.integer(1), apply(del("k")));
    assertEquals(ApplyResult.integer(0), apply(del("k")));
    assertNull(get("k"));
    assertEquals(6, fsm.appliedIndex());
  }

  @Test
  void binaryKeysAndValuesAreExact() throws Exception {
    byte[] key = {0, 1, 0, (byte) 0xFF};
    byte[] value = new byte[1 << 20];
    new java.util.Random(1).nextBytes(value);
    fsm.apply(List.of(entry(next++, new Command.Set(null, key, value))));
    try (ReadView v = fsm.readView()) {
      assertArrayEquals(value, v.get(key));
      assertNull(v.get(new byte[] {0, 1, 0}), "a prefix of a key is another key");
    }
  }

  @Test
  void stringAndListCommandsRefuseEachOthersKeys() throws Exception {
    apply(set("s", "v"));
    apply(rpush("l", "a"));
    assertEquals("WRONGTYPE", apply(rpush("s", "x")).errorCode());
    assertEquals("WRONGTYPE", apply(set("l", "x")).errorCode());
    assertEquals("WRONGTYPE", apply(cas(null, "l", "a", "x")).errorCode());
    try (ReadView v = fsm.readView()) {
      assertThrows(WrongTypeException.class, () -> v.get(b("l")));
      assertThrows(WrongTypeException.class, () -> v.lrange(b("s"), 0, -1));
    }
    assertEquals("v", get("s"));
    assertEquals(List.of("a"), lrange("l", 0, -1));
    assertEquals(ApplyResult.integer(1), apply(del("l")), "DEL works on either type");
    assertEquals(ApplyResult.OK, apply(set("l", "now-a-string")));
  }

  @Test
  void lrangeFollowsRedisIndexSemantics() throws Exception {
    assertEquals(ApplyResult.integer(5), apply(rpush("l", "a", "b", "c", "d", "e")));
    List<String> all = List.of("a", "b", "c", "d", "e");
    for (long start = -8; start <= 8; start++) {
      for (long stop = -8; stop <= 8; stop++) {
        assertEquals(redisLrange(all, start, stop), lrange("l", start, stop), start + ".." + stop);
      }
    }
    assertEquals(List.of(), lrange("absent", 0, -1));
  }

  /** The reference: Redis's ltrim-style clamping, written independently of the implementation. */
  private static List<String> redisLrange(List<String> list, long start, long stop) {
    int n = list.size();
    if (start < 0) start = n + start;
    if (stop < 0) stop = n + stop;
    if (start < 0) start = 0;
    if (start > stop || start >= n) return List.of();
    if (stop >= n) stop = n - 1;
    return list.subList((int) start, (int) stop + 1);
  }

  @Test
  void deletedListComesBackEmptyAndSameBatchSeesEarlierWrites() throws Exception {
    long i = next;
    List<ApplyResult> r = fsm.apply(List.of(
        entry(i, rpush("l", "a", "b")), entry(i + 1, del("l")), entry(i + 2, rpush("l", "c")),
        entry(i + 3, set("k", "1")), entry(i + 4, cas(null, "k", "1", "2"))));
    next += 5;
    assertEquals(List.of(ApplyResult.integer(2), ApplyResult.integer(1), ApplyResult.integer(1), ApplyResult.OK, ApplyResult.bool(true)), r);
    assertEquals(List.of("c"), lrange("l", 0, -1));
    assertEquals("2", get("k"));
  }

  @Test
  void rpushWritesOnlyTheNewElementsNotTheList(@TempDir Path raw) throws Exception {
    try (KvEngine engine = openEngine(raw)) {
      for (int round = 0; round < 3; round++) {
        BatchApplier batch = new BatchApplier(engine);
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) values.add(b("e" + i));
        batch.execute(new Command.RPush(null, b("big"), values));
        engine.write(batch.batch, false);
      }
      BatchApplier batch = new BatchApplier(engine);
      assertEquals(ApplyResult.integer(30_001), batch.execute(rpush("big", "last")));
      assertEquals(2, batch.batch.ops().size(), "one element and the length, whatever the list's size");
    }
  }

  @Test
  void noopAndConfigOnlyAdvanceTheAppliedIndex() throws Exception {
    ConfState conf = new ConfState(List.of("n1", "n2"));
    List<ApplyResult> r = fsm.apply(List.of(Entry.noop(2, 1), new Entry(2, 2, EntryType.CONFIG, conf.encode())));
    assertEquals(List.of(ApplyResult.NONE, ApplyResult.NONE), r);
    assertEquals(2, fsm.appliedIndex());
    assertEquals(2, fsm.appliedTerm());
    assertEquals(conf, fsm.appliedConf());
    try (ReadView v = fsm.readView()) {
      assertEquals(2, v.appliedIndex());
    }
  }

  @Test
  void malformedCommandIsAnErrorResultAndStillApplied() throws Exception {
    List<ApplyResult> r = fsm.apply(List.of(Entry.normal(1, 1, new byte[] {1, 9, 0, 0, 0, 0, 1, (byte) 'k'})));
    assertEquals("ERR", r.get(0).errorCode());
    assertTrue(r.get(0).errorMessage().contains("unknown command op"), r.get(0).errorMessage());
    assertEquals(1, fsm.appliedIndex());
  }

  @Test
  void aGapAfterTheAppliedIndexIsRefused() throws Exception {
    apply(set("a", "1"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fsm.apply(List.of(entry(5, set("b", "2")))));
    assertTrue(e.getMessage().contains("applied index is 1"), e.getMessage());
    assertEquals(1, fsm.appliedIndex());
  }

  @Test
  void readViewIsASnapshot() throws Exception {
    apply(set("k", "old"));
    try (ReadView v = fsm.readView()) {
      apply(set("k", "new"));
      assertEquals("old", s(v.get(b("k"))));
      assertEquals(1, v.appliedIndex());
    }
    assertEquals("new", get("k"));
  }
}
