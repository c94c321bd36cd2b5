package leasekv.raft.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulator's checker must itself be right: small histories with known answers. */
class RegisterCheckerTest {
  private final List<Op> ops = new ArrayList<>();

  private Op write(String value, long from, long to, Op.Outcome outcome) {
    Op op = new Op(ops.size() + 1, 1, Op.Kind.WRITE, "k", value, from);
    op.completeNanos = to;
    op.outcome = outcome;
    ops.add(op);
    return op;
  }

  private Op read(String value, long from, long to) {
    Op op = new Op(ops.size() + 1, 2, Op.Kind.READ, "k", null, from);
    op.completeNanos = to;
    op.outcome = Op.Outcome.OK;
    op.readValue = value;
    ops.add(op);
    return op;
  }

  private List<RegisterChecker.Violation> check(String... order) {
    return RegisterChecker.check(ops, Map.of("k", List.of(order)));
  }

  @Test
  void sequentialWritesAndFreshReadsAreLinearizable() {
    write("a", 0, 10, Op.Outcome.OK);
    read("a", 11, 12);
    write("b", 13, 20, Op.Outcome.OK);
    read("b", 21, 22);
    assertEquals(List.of(), check("a", "b"));
  }

  @Test
  void aReadOfTheOldValueAfterANewerWriteCompletedIsStale() {
    write("a", 0, 10, Op.Outcome.OK);
    write("b", 11, 20, Op.Outcome.OK);
    read("a", 25, 30);
    List<RegisterChecker.Violation> v = check("a", "b");
    assertEquals(1, v.size());
    assertTrue(v.get(0).staleRead(), v.toString());
  }

  @Test
  void aReadConcurrentWithAWriteMayReturnEitherValue() {
    write("a", 0, 10, Op.Outcome.OK);
    write("b", 11, 30, Op.Outcome.OK);
    read("a", 12, 14);
    read("b", 15, 16);
    assertEquals(List.of(), check("a", "b"));
  }

  @Test
  void readsMustNotGoBackInTime() {
    write("a", 0, 10, Op.Outcome.OK);
    write("b", 11, 30, Op.Outcome.OK); // concurrent with both reads
    read("b", 12, 14);
    read("a", 15, 16); // began after a read had already seen b
    List<RegisterChecker.Violation> v = check("a", "b");
    assertEquals(1, v.size());
    assertTrue(v.get(0).staleRead());
  }

  @Test
  void anIndeterminateWriteMayTakeEffectAnyTimeAfterItsInvocation() {
    write("a", 0, 10, Op.Outcome.OK);
    write("b", 11, -1, Op.Outcome.INFO);
    read("a", 100, 101);
    read("b", 200, 201);
    assertEquals(List.of(), check("a", "b"));
  }

  @Test
  void staleReadsAreFoundThroughIndeterminateWritesInBetween() {
    write("a", 0, 10, Op.Outcome.OK);
    write("b", 11, -1, Op.Outcome.INFO);
    write("c", 12, 20, Op.Outcome.OK);
    read("a", 25, 26);
    List<RegisterChecker.Violation> v = check("a", "b", "c");
    assertEquals(1, v.size());
    assertTrue(v.get(0).staleRead(), "the root cause is the late read: " + v);
  }

  @Test
  void readingAValueBeforeItsWriteBeganIsAViolationButNotAStaleRead() {
    read("a", 0, 5);
    write("a", 10, 20, Op.Outcome.OK);
    List<RegisterChecker.Violation> v = check("a");
    assertEquals(1, v.size());
    assertFalse(v.get(0).staleRead());
  }

  @Test
  void aReadOfTheInitialAbsentValueAfterAnAcknowledgedWriteIsStale() {
    write("a", 0, 10, Op.Outcome.OK);
    read(null, 20, 21);
    assertTrue(check("a").get(0).staleRead());
  }

  @Test
  void lostAndPhantomWritesAndDirtyReadsAreReported() {
    write("a", 0, 10, Op.Outcome.OK); // acknowledged, not committed
    write("b", 11, 12, Op.Outcome.FAIL); // failed, yet committed
    read("z", 20, 21); // never committed
    List<RegisterChecker.Violation> v = check("b");
    assertEquals(3, v.size(), v.toString());
    assertTrue(v.get(0).description().startsWith("lost acknowledged write"));
    assertTrue(v.get(1).description().startsWith("a write reported as failed took effect"));
    assertTrue(v.get(2).description().startsWith("read of a value that never committed"));
  }
}
