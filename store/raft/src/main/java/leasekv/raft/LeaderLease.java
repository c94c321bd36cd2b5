package leasekv.raft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A leader's rounds and the lease they earn (Raft dissertation §6.4.1, lease rules 2, 3 and 7).
 *
 * <p>The leader opens a numbered round for each heartbeat broadcast and ReadIndex batch, recording its
 * clock reading. Every message it sends carries the open round's number, so a round's time is never
 * later than a real send time. A follower echoes the number; its acknowledgement proves it heard from
 * this leader no earlier than that round's time and will therefore refuse votes until a minimum
 * election timeout after it. The lease lasts {@code leaseNanos} from the quorum instant: the
 * majority-th latest acknowledged round time among voters, the leader counting itself.
 *
 * <p>A leadership transfer freezes the rounds (every message carries the transfer's round, which
 * TimeoutNow also carries), drops the lease, and raises a floor so that after a failed transfer only
 * rounds opened after it can earn a lease again.
 */
final class LeaderLease {
  private record Ack(long seq, boolean timeKnown, long atNanos) {}

  private final long leaseNanos;
  private final boolean anchorAtReceipt;
  private final boolean unsafeFreshestAck;
  private final boolean unsafeKeepDuringTransfer;
  private final long pruneAfterNanos;
  private final TreeMap<Long, Long> roundSendNanos = new TreeMap<>();
  private final Map<String, Ack> acks = new HashMap<>();
  private long currentSeq;
  private long floorSeq = 1;
  private boolean frozen;

  LeaderLease(long leaseNanos, boolean anchorAtReceipt) {
    this(leaseNanos, anchorAtReceipt, false, false);
  }

  LeaderLease(long leaseNanos, boolean anchorAtReceipt, boolean unsafeFreshestAck, boolean unsafeKeepDuringTransfer) {
    this.leaseNanos = leaseNanos;
    this.anchorAtReceipt = anchorAtReceipt;
    this.unsafeFreshestAck = unsafeFreshestAck;
    this.unsafeKeepDuringTransfer = unsafeKeepDuringTransfer;
    this.pruneAfterNanos = 2 * leaseNanos;
  }

  /** Opens a new round at clock reading {@code nowNanos}; during a transfer returns the transfer's round. */
  long openRound(long nowNanos) {
    if (frozen) return currentSeq;
    currentSeq++;
    roundSendNanos.put(currentSeq, nowNanos);
    while (roundSendNanos.size() > 1 && nowNanos - roundSendNanos.firstEntry().getValue() > pruneAfterNanos) {
      roundSendNanos.pollFirstEntry();
    }
    return currentSeq;
  }

  long currentSeq() {
    return currentSeq;
  }

  boolean isFrozen() {
    return frozen;
  }

  /** Records that {@code peer} acknowledged round {@code seq}; the reply arrived at {@code nowNanos}. */
  void onAck(String peer, long seq, long nowNanos) {
    if (seq <= 0 || seq > currentSeq) return;
    Ack previous = acks.get(peer);
    if (anchorAtReceipt) {
      // UNSAFE: every reply, however late, stamps the peer as acknowledged at its arrival
      acks.put(peer, new Ack(Math.max(seq, previous == null ? 0 : previous.seq()), true, nowNanos));
      return;
    }
    if (previous != null && previous.seq() >= seq) return;
    Long sent = roundSendNanos.get(seq);
    acks.put(peer, new Ack(seq, sent != null, sent == null ? 0 : sent));
  }

  /**
   * Drops the lease and freezes rounds for a leadership transfer, before TimeoutNow is sent. Returns
   * the transfer's round number, which TimeoutNow carries.
   */
  long beginTransfer(long nowNanos) {
    long seq = openRound(nowNanos);
    frozen = true;
    if (!unsafeKeepDuringTransfer) floorSeq = seq + 1; // UNSAFE keep-lease-during-transfer keeps every ack
    return seq;
  }

  /** The transfer failed; new rounds may earn a lease again, acknowledgements of older ones never will. */
  void endTransfer() {
    frozen = false;
  }

  /** The clock reading the lease lasts until, or null if there is no lease. */
  Long leaseUntil(ConfState conf, String self) {
    if ((frozen && !unsafeKeepDuringTransfer) || !conf.isVoter(self)) return null;
    int quorum = conf.quorum();
    if (quorum == 1) {
      Long selfTime = currentSeq >= floorSeq ? roundSendNanos.get(currentSeq) : null;
      return selfTime == null ? null : selfTime + leaseNanos;
    }
    List<Long> times = new ArrayList<>();
    for (String voter : conf.voters()) {
      if (voter.equals(self)) continue;
      Ack a = acks.get(voter);
      if (a != null && a.timeKnown() && a.seq() >= floorSeq) times.add(a.atNanos());
    }
    // The leader itself is the freshest member of every quorum, so we need quorum-1 followers.
    if (times.size() < quorum - 1) return null;
    times.sort((a, b) -> Long.signum(b - a));
    // UNSAFE lease-from-freshest-ack: the newest ack stands for the whole quorum
    return times.get(unsafeFreshestAck ? 0 : quorum - 2) + leaseNanos;
  }

  /** The highest round a quorum of voters (the leader counting itself) has acknowledged. */
  long quorumAckedSeq(ConfState conf, String self) {
    List<Long> seqs = new ArrayList<>();
    for (String voter : conf.voters()) {
      if (voter.equals(self)) {
        seqs.add(currentSeq);
      } else {
        Ack a = acks.get(voter);
        seqs.add(a == null ? 0 : a.seq());
      }
    }
    if (seqs.isEmpty()) return 0;
    seqs.sort((a, b) -> Long.compare(b, a));
    return seqs.get(conf.quorum() - 1);
  }
}
