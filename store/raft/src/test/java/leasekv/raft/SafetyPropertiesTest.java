package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import leasekv.raft.testing.RaftGroup;
import leasekv.raft.testing.TestNode;
import org.junit.jupiter.api.Test;

/**
 * Raft's four safety properties (election safety, log matching, leader completeness, state-machine
 * safety; checked by {@link leasekv.raft.testing.RaftInvariants} after every delivery) under seeded
 * random schedules of partitions, crashes, compaction, transfers and membership changes on the
 * scripted group. The deterministic simulation ({@code leasekv.raft.sim}) checks them too, with
 * clocks, disks and a harsher network.
 */
class SafetyPropertiesTest {

  @Test
  void theFourSafetyPropertiesHoldUnderRandomFaults() {
    int committedTotal = 0;
    for (long seed = 1; seed <= 25; seed++) committedTotal += runOne(seed);
    assertTrue(committedTotal > 1000, "the schedules committed real work: " + committedTotal);
  }

  private static int runOne(long seed) {
    Random random = new Random(seed);
    List<String> ids = List.of("n1", "n2", "n3", "n4", "n5");
    RaftGroup g = RaftGroup.of(ids.toArray(String[]::new));
    Set<String> crashed = new HashSet<>();
    int proposals = 0;
    for (int step = 0; step < 400; step++) {
      int roll = random.nextInt(100);
      String someone = ids.get(random.nextInt(ids.size()));
      if (roll < 40) {
        g.tickAll(1 + random.nextInt(3));
      } else if (roll < 65) {
        TestNode leader = g.leader();
        if (leader != null && leader.core().status().transferTarget() == null && leader.core().conf().isVoter(leader.id())) {
          g.propose(leader.id(), "s" + seed + "-" + proposals++);
        }
      } else if (roll < 72) {
        List<String> shuffled = new ArrayList<>(ids);
        java.util.Collections.shuffle(shuffled, random);
        int cut = 1 + random.nextInt(4);
        g.splitMembers(shuffled.subList(0, cut), shuffled.subList(cut, 5));
      } else if (roll < 80) {
        g.heal();
      } else if (roll < 86 && crashed.size() < 2 && !crashed.contains(someone)) {
        g.crash(someone);
        crashed.add(someone);
      } else if (roll < 92 && crashed.contains(someone)) {
        g.restart(someone);
        crashed.remove(someone);
      } else if (roll < 95 && !crashed.contains(someone)) {
        TestNode n = g.node(someone);
        n.compact(n.appliedIndex());
      } else if (roll < 98) {
        TestNode leader = g.leader();
        if (leader != null && leader.core().conf().isVoter(someone) && !someone.equals(leader.id())) {
          leader.core().transferLeadership(someone);
          g.deliverAll();
        }
      } else {
        TestNode leader = g.leader();
        if (leader != null) {
          List<String> voters = leader.core().conf().voters();
          try {
            if (voters.size() == 5) leader.core().proposeConfChange(ConfChange.removeVoter(someone));
            else leader.core().proposeConfChange(ConfChange.addVoter(ids.stream().filter(i -> !voters.contains(i)).findFirst().orElseThrow()));
          } catch (ProposalRejectedException notNow) {
            // one change at a time, or no own-term commit yet
          }
          g.deliverAll();
        }
      }
      g.invariants().assertNone();
    }
    g.heal();
    for (String id : crashed) g.restart(id);
    g.tickAll(60);
    g.assertSafe();
    return g.invariants().committedEntries().size();
  }
}
