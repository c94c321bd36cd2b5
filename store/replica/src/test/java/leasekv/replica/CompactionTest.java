package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import leasekv.fsm.ApplyResult;
import leasekv.replica.UnsafeModes.Mode;
import org.junit.jupiter.api.Test;

/** Log compaction (durability rule D4): every interval, to the DURABLE applied index minus the kept tail. */
class CompactionTest {
  private static List<String> compactions(ReplicaFixture f) {
    return f.calls.stream().filter(c -> c.startsWith("compact")).toList();
  }

  @Test
  void everyIntervalTheLogIsCompactedToTheDurableAppliedIndexLessTheTail() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE, ReadPolicy.LEASE, 4, 1);
    f.electAndCommit(); // entries 1 (bootstrap) and 2 (the leader's)
    assertEquals(0, f.log.snapshot().index());
    f.write(ReplicaFixture.set("k", "3"));
    assertEquals(List.of(), compactions(f), "3 applied entries: not yet");
    f.write(ReplicaFixture.set("k", "4"));
    assertEquals(List.of("compact 3"), compactions(f));
    assertEquals(4, f.fsm.durableAppliedIndex(), "made durable first");
    assertEquals(3, f.log.snapshot().index());
    for (int i = 5; i <= 7; i++) f.write(ReplicaFixture.set("k", "" + i));
    assertEquals(3, f.log.snapshot().index(), "the next pass is 4 entries later");
    assertEquals(ApplyResult.OK, ReplicaFixture.done(f.write(ReplicaFixture.set("k", "8"))));
    assertEquals(7, f.log.snapshot().index());
    assertEquals(8, f.fsm.durableAppliedIndex());
    assertEquals(7, f.replica.status().firstIndex() - 1, "the core knows");
  }

  @Test
  void unsafeCompactPastDurableAppliedCompactsEntriesTheStateMachineMayStillLose() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.of(Mode.COMPACT_PAST_DURABLE_APPLIED), ReadPolicy.LEASE, 4, 1);
    f.electAndCommit();
    f.write(ReplicaFixture.set("k", "3"));
    f.write(ReplicaFixture.set("k", "4"));
    assertEquals(3, f.log.snapshot().index());
    assertEquals(0, f.fsm.durableAppliedIndex(), "nothing of it was made durable");
  }

  @Test
  void aCompactionOnRequestReturnsItsTargetAndCompactsOnlyForward() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE, ReadPolicy.LEASE, 1_000, 1);
    f.electAndCommit();
    f.write(ReplicaFixture.set("k", "3"));
    var target = f.replica.compactNow();
    f.runInbox();
    assertEquals(2, ReplicaFixture.done(target));
    assertEquals(2, f.log.snapshot().index());
    f.clear();
    var again = f.replica.compactNow();
    f.runInbox();
    assertEquals(2, ReplicaFixture.done(again));
    assertEquals(List.of(), compactions(f), "nothing new to drop");
  }

  @Test
  void aTailLongerThanTheLogCompactsNothing() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE, ReadPolicy.LEASE, 1_000, 5);
    f.electAndCommit();
    f.write(ReplicaFixture.set("k", "3"));
    var target = f.replica.compactNow();
    f.runInbox();
    assertEquals(-2, ReplicaFixture.done(target));
    assertTrue(compactions(f).isEmpty());
    assertEquals(3, f.fsm.durableAppliedIndex(), "the state machine was made durable all the same");
  }
}
