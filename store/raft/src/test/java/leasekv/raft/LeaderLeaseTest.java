package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The lease a leader's acknowledged rounds earn (lease rules L2, L3 and L7), computed directly. */
class LeaderLeaseTest {
  private static final long LEASE = 100;
  private static final ConfState THREE = new ConfState(List.of("n1", "n2", "n3"));
  private static final ConfState FIVE = new ConfState(List.of("n1", "n2", "n3", "n4", "n5"));

  private static LeaderLease lease() {
    return new LeaderLease(LEASE, false);
  }

  @Test
  void roundsAreNumberedFromOneAndAnAckLeasesFromItsRoundsSendTime() {
    LeaderLease l = lease();
    assertNull(l.leaseUntil(THREE, "n1"), "no ack yet");
    assertEquals(1, l.openRound(10));
    assertEquals(2, l.openRound(20));
    assertEquals(2, l.currentSeq());
    l.onAck("n2", 1, 55); // the reply's arrival time does not matter
    assertEquals(10 + LEASE, l.leaseUntil(THREE, "n1"));
    l.onAck("n2", 2, 60);
    assertEquals(20 + LEASE, l.leaseUntil(THREE, "n1"));
  }

  @Test
  void anAckOfARoundNotYetOpenedOrOfRoundZeroIsIgnored() {
    LeaderLease l = lease();
    l.openRound(10);
    l.onAck("n2", 2, 15);
    l.onAck("n2", 0, 15);
    assertNull(l.leaseUntil(THREE, "n1"));
    assertEquals(0, l.quorumAckedSeq(THREE, "n1"), "n2 acknowledged nothing");
    LeaderLease receipt = new LeaderLease(LEASE, true);
    receipt.openRound(10);
    receipt.onAck("n2", 0, 15);
    assertNull(receipt.leaseUntil(THREE, "n1"), "even anchored at receipt, round 0 is no ack");
  }

  @Test
  void anOlderAckNeverReplacesANewerOne() {
    LeaderLease l = lease();
    l.openRound(10);
    l.openRound(20);
    l.onAck("n2", 2, 25);
    l.onAck("n2", 1, 30); // reordered: the older round's reply arrives last
    assertEquals(20 + LEASE, l.leaseUntil(THREE, "n1"));
  }

  @Test
  void aRepeatedAckOfAPrunedRoundKeepsTheTimeItWasFirstAckedAt() {
    LeaderLease l = lease();
    l.openRound(0);
    l.onAck("n2", 1, 5);
    l.openRound(2 * LEASE + 1); // round 1 is pruned from the send times
    l.onAck("n2", 1, 2 * LEASE + 2); // a duplicate of the first reply
    assertEquals(LEASE, l.leaseUntil(THREE, "n1"));
  }

  @Test
  void roundsOlderThanTwoLeasesArePrunedButNotBefore() {
    LeaderLease kept = lease();
    kept.openRound(0);
    kept.openRound(2 * LEASE); // exactly two leases later: round 1 is kept
    kept.onAck("n2", 1, 2 * LEASE);
    assertEquals(LEASE, kept.leaseUntil(THREE, "n1"));
    LeaderLease pruned = lease();
    pruned.openRound(0);
    pruned.openRound(2 * LEASE + 1);
    pruned.onAck("n2", 1, 2 * LEASE + 1); // its send time is gone: it cannot anchor a lease
    assertNull(pruned.leaseUntil(THREE, "n1"));
  }

  @Test
  void theQuorumInstantIsTheMajorityThLatestAck() {
    LeaderLease l = lease();
    l.openRound(0);
    l.openRound(10);
    l.openRound(20);
    l.onAck("n2", 3, 21);
    l.onAck("n3", 1, 21);
    l.onAck("n4", 2, 21);
    assertEquals(10 + LEASE, l.leaseUntil(FIVE, "n1"), "with the leader, {20, 10} are a quorum of five");
    LeaderLease freshest = new LeaderLease(LEASE, false, true, false);
    freshest.openRound(0);
    freshest.openRound(10);
    freshest.openRound(20);
    freshest.onAck("n2", 3, 21);
    freshest.onAck("n3", 1, 21);
    assertEquals(20 + LEASE, freshest.leaseUntil(FIVE, "n1"), "UNSAFE lease-from-freshest-ack");
    LeaderLease few = lease();
    few.openRound(0);
    few.onAck("n2", 1, 1);
    assertNull(few.leaseUntil(FIVE, "n1"), "one follower is not enough of five");
  }

  @Test
  void aLoneVoterLeasesFromItsOwnLatestRound() {
    ConfState one = new ConfState(List.of("n1"));
    LeaderLease l = lease();
    assertNull(l.leaseUntil(one, "n1"), "no round yet");
    l.openRound(10);
    assertEquals(10 + LEASE, l.leaseUntil(one, "n1"));
    l.beginTransfer(20);
    l.endTransfer();
    assertNull(l.leaseUntil(one, "n1"), "the transfer's round earns nothing");
    l.openRound(30);
    assertEquals(30 + LEASE, l.leaseUntil(one, "n1"));
  }

  @Test
  void aLeaderThatIsNotAVoterHasNoLease() {
    LeaderLease l = lease();
    l.openRound(0);
    l.onAck("n2", 1, 1);
    l.onAck("n3", 1, 1);
    assertNull(l.leaseUntil(new ConfState(List.of("n2", "n3", "n4")), "n1"));
  }

  @Test
  void aTransferFreezesTheRoundsDropsTheLeaseAndOnlyLaterRoundsEarnItBack() {
    LeaderLease l = lease();
    l.openRound(0);
    l.onAck("n2", 1, 1);
    assertFalse(l.isFrozen());
    assertEquals(2, l.beginTransfer(10));
    assertTrue(l.isFrozen());
    assertEquals(2, l.openRound(20), "every message carries the transfer's round");
    assertNull(l.leaseUntil(THREE, "n1"));
    l.onAck("n2", 2, 21);
    l.endTransfer();
    assertFalse(l.isFrozen());
    assertNull(l.leaseUntil(THREE, "n1"), "acks of the transfer's round and before never count again");
    assertEquals(3, l.openRound(30));
    l.onAck("n2", 3, 31);
    assertEquals(30 + LEASE, l.leaseUntil(THREE, "n1"));
  }

  @Test
  void unsafeKeepLeaseDuringTransferKeepsServingFromOldAcks() {
    LeaderLease l = new LeaderLease(LEASE, false, false, true);
    l.openRound(0);
    l.onAck("n2", 1, 1);
    l.beginTransfer(10);
    assertEquals(LEASE, l.leaseUntil(THREE, "n1"));
  }

  @Test
  void theQuorumAckedRoundIsTheMajorityThHighest() {
    LeaderLease l = lease();
    for (int i = 0; i < 5; i++) l.openRound(i);
    l.onAck("n1", 3, 5);
    assertEquals(3, l.quorumAckedSeq(THREE, "n3"), "{5 (self), 3, 0}: the second highest");
    l.onAck("n2", 4, 5);
    assertEquals(5, l.quorumAckedSeq(new ConfState(List.of("n3")), "n3"));
    assertEquals(4, l.quorumAckedSeq(THREE, "n3"));
    assertEquals(0, l.quorumAckedSeq(new ConfState(List.of()), "n3"), "no voters: nothing acknowledged");
  }
}
