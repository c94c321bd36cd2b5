package leasekv.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a core does while it is leader of one term: replication with flow control, commit,
 * check-quorum, the lease, ReadIndex, leadership transfer and membership bookkeeping. Discarded when
 * the core stops being leader, which drops the lease and fails the pending reads.
 */
final class Leader {
  private final RaftCore core;
  private final RaftLog log;
  private final RaftConfig config;
  private final String self;
  private final long term;
  /**
   * Progress of every voter but ourselves, plus peers just removed until their removal commits (so
   * they learn of it and stop campaigning). TreeMap: deterministic iteration.
   */
  private final Map<String, Progress> progress = new TreeMap<>();
  private final LeaderLease lease;
  private final ReadIndexQueue reads = new ReadIndexQueue();
  private int heartbeatElapsed;
  private int checkQuorumElapsed;
  private String transferTarget;
  private int transferElapsed;
  private long transferSeq;
  private boolean timeoutNowSent;
  private boolean appendsPending;
  private boolean commitPending;
  private boolean committedInOwnTerm;
  /** False once the core stepped down; a handler that caused the step-down must stop sending. */
  private boolean active = true;

  Leader(RaftCore core, RaftLog log, RaftConfig config) {
    this.core = core;
    this.log = log;
    this.config = config;
    this.self = config.id();
    this.term = core.term();
    this.lease = new LeaderLease(config.leaseNanos(), config.isUnsafe(UnsafeMode.LEASE_FROM_ACK_RECEIPT),
        config.isUnsafe(UnsafeMode.LEASE_FROM_FRESHEST_ACK), config.isUnsafe(UnsafeMode.KEEP_LEASE_DURING_TRANSFER));
  }

  /** Appends the no-op that lets this term commit, and announces leadership with the first round. */
  void start() {
    syncProgressWithConf();
    log.append(List.of(Entry.noop(term, log.lastIndex() + 1)));
    lease.openRound(core.now());
    appendsPending = true;
  }

  // ---- inputs from the core ----

  void tick() {
    heartbeatElapsed++;
    checkQuorumElapsed++;
    if (transferTarget != null && ++transferElapsed >= config.transferTimeoutTicks()) abortTransfer();
    if (checkQuorumElapsed >= config.electionTimeoutTicks()) {
      checkQuorumElapsed = 0;
      if (!quorumRecentlyActive()) {
        core.stepDown("check-quorum: a quorum was not heard from within the election timeout");
        return;
      }
      for (Progress p : progress.values()) p.recentActive = false;
    }
    if (heartbeatElapsed >= config.heartbeatIntervalTicks()) {
      heartbeatElapsed = 0;
      lease.openRound(core.now());
      broadcastHeartbeat();
    }
  }

  EntryId append(Entry entry) {
    log.append(List.of(entry));
    appendsPending = true;
    if (entry.type() == EntryType.CONFIG) syncProgressWithConf();
    return new EntryId(entry.term(), entry.index());
  }

  void addRead(long requestId) {
    reads.add(requestId, committedInOwnTerm, log.committed());
  }

  boolean hasPendingFlush() {
    return appendsPending || commitPending || (reads.needsRound() && !lease.isFrozen());
  }

  /** Called when a Ready is built: send what proposals, commits and reads accumulated, batched. */
  void flush() {
    if (reads.needsRound() && !lease.isFrozen()) {
      reads.assignRound(lease.openRound(core.now()));
      broadcastHeartbeat();
      releaseReads();
    }
    if (appendsPending || commitPending) {
      boolean sendIfEmpty = commitPending;
      appendsPending = false;
      commitPending = false;
      for (String peer : progress.keySet()) {
        boolean more = sendAppend(peer, sendIfEmpty);
        while (more) more = sendAppend(peer, false);
      }
    }
  }

  /** Our own log is durable up to a new index: it may now count toward commit. */
  void onSelfPersisted() {
    maybeCommit();
  }

  void onAppendResponse(Message m) {
    Progress pr = progress.get(m.from());
    if (pr == null) return;
    pr.recentActive = true;
    onAck(m);
    if (m.reject()) {
      long nextProbe = m.logTerm() > 0 ? log.findConflictByTerm(m.rejectHint(), m.logTerm()) : m.rejectHint();
      if (pr.maybeDecrTo(m.index(), nextProbe)) {
        if (pr.state == Progress.State.REPLICATE) pr.becomeProbe();
        sendAppend(m.from(), true);
      }
      return;
    }
    boolean wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index())) return;
    switch (pr.state) {
      case PROBE -> pr.becomeReplicate();
      case SNAPSHOT -> {
        if (pr.match >= pr.pendingSnapshot) {
          pr.becomeProbe();
          pr.becomeReplicate();
        }
      }
      case REPLICATE -> pr.freeInflightUpTo(m.index());
    }
    long commitBefore = log.committed();
    maybeCommit();
    if (!active) return;
    // A follower that was paused missed the broadcast of the latest commit: tell it now.
    if (wasPaused && log.committed() == commitBefore) sendAppend(m.from(), true);
    while (sendAppend(m.from(), false)) {
      // keep the pipeline full up to the in-flight limit
    }
    if (m.from().equals(transferTarget) && pr.match == log.lastIndex()) sendTimeoutNow();
  }

  void onHeartbeatResponse(Message m) {
    Progress pr = progress.get(m.from());
    if (pr == null) return;
    pr.recentActive = true;
    pr.probeSent = false;
    onAck(m);
    if (pr.state == Progress.State.REPLICATE) pr.freeFirstIfFull();
    if (pr.match < log.lastIndex()) {
      // No progress for a whole heartbeat interval while entries are outstanding: they were lost.
      if (pr.state == Progress.State.REPLICATE && pr.match == pr.matchAtLastHeartbeat) pr.becomeProbe();
      if (pr.state == Progress.State.PROBE) sendAppend(m.from(), true);
    }
    pr.matchAtLastHeartbeat = pr.match;
  }

  void onUnreachable(String peer) {
    Progress pr = progress.get(peer);
    if (pr != null && pr.state == Progress.State.REPLICATE) pr.becomeProbe();
  }

  void onSnapshotReport(String peer, boolean success) {
    Progress pr = progress.get(peer);
    if (pr == null || pr.state != Progress.State.SNAPSHOT) return;
    if (!success) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    // Success: wait for the follower's append response before probing; failure: retry after a heartbeat.
    pr.probeSent = true;
  }

  void transfer(String target) {
    if (!log.conf().isVoter(target)) {
      throw new ProposalRejectedException(ProposalRejectedException.Reason.INVALID_CONF_CHANGE, self,
          "cannot transfer leadership to " + target + ": not a voter of " + log.conf().voters());
    }
    if (target.equals(transferTarget)) return;
    if (transferTarget != null) abortTransfer();
    transferTarget = target;
    transferElapsed = 0;
    timeoutNowSent = false;
    // Rule 7: the lease is gone before TimeoutNow can be sent, and rounds stay frozen at this one.
    transferSeq = lease.beginTransfer(core.now());
    if (progress.get(target).match == log.lastIndex()) {
      sendTimeoutNow();
    } else {
      sendAppend(target, true);
    }
  }

  boolean isTransferring() {
    return transferTarget != null;
  }

  String transferTarget() {
    return transferTarget;
  }

  boolean committedInOwnTerm() {
    return committedInOwnTerm;
  }

  /** The lease's end (clock nanos), or null if this leader holds no lease. */
  Long leaseUntil() {
    return lease.leaseUntil(log.conf(), self);
  }

  /** Highest seq this leader sent; a transfer campaign carrying at least this may bypass our lease. */
  long lastSentSeq() {
    return lease.currentSeq();
  }

  /** The core stepped down: fail the pending reads; this object is discarded. */
  void deactivate(List<Long> abortedReads) {
    active = false;
    reads.abortAll(abortedReads);
  }

  String describeProgress() {
    StringBuilder s = new StringBuilder();
    progress.forEach((peer, p) -> s.append(peer).append('=').append(p).append("; "));
    return s.toString();
  }

  // ---- internals ----

  private void onAck(Message m) {
    lease.onAck(m.from(), m.seq(), core.now());
    releaseReads();
  }

  private void releaseReads() {
    List<ReadState> released = new ArrayList<>();
    reads.release(lease.quorumAckedSeq(log.conf(), self), released);
    core.deliverReadStates(released);
  }

  private void maybeCommit() {
    ConfState conf = log.conf();
    List<Long> matches = new ArrayList<>();
    for (String voter : conf.voters()) {
      matches.add(voter.equals(self) ? log.persistedLastIndex() : progress.get(voter).match);
    }
    matches.sort((a, b) -> Long.compare(b, a));
    long quorumMatch = matches.get(conf.quorum() - 1);
    // Only entries of our own term are committed by counting (Raft §5.4.2); earlier ones follow.
    if (quorumMatch <= log.committed() || log.term(quorumMatch) != term) return;
    log.commitTo(quorumMatch);
    commitPending = true;
    if (!committedInOwnTerm) {
      committedInOwnTerm = true;
      reads.onOwnTermCommit(log.committed());
    }
    if (log.committed() >= log.confIndex()) progress.keySet().removeIf(peer -> !conf.isVoter(peer));
    if (!conf.isVoter(self) && log.committed() >= log.confIndex()) handOffAfterRemoval();
  }

  /** Our removal is committed: hand off to the most caught-up voter, then step down (dissertation §4.2.2). */
  private void handOffAfterRemoval() {
    String best = null;
    for (String voter : log.conf().voters()) {
      if (best == null || progress.get(voter).match > progress.get(best).match) best = voter;
    }
    flush(); // tell followers the new commit before leaving
    if (best != null && progress.get(best).match == log.lastIndex()) {
      transferTarget = best;
      transferSeq = lease.beginTransfer(core.now());
      sendTimeoutNow();
    }
    core.stepDown("removed from the configuration by a committed change");
  }

  private boolean quorumRecentlyActive() {
    ConfState conf = log.conf();
    int active = conf.isVoter(self) ? 1 : 0;
    for (String voter : conf.voters()) {
      if (!voter.equals(self) && progress.get(voter).recentActive) active++;
    }
    return active >= conf.quorum();
  }

  private void syncProgressWithConf() {
    ConfState conf = log.conf();
    for (String voter : conf.voters()) {
      if (voter.equals(self) || progress.containsKey(voter)) continue;
      Progress p = new Progress(log.lastIndex() + 1, config.maxInflightAppends());
      p.recentActive = true; // do not count a brand-new member against check-quorum before it could answer
      progress.put(voter, p);
    }
    if (transferTarget != null && !conf.isVoter(transferTarget)) abortTransfer();
  }

  private void abortTransfer() {
    transferTarget = null;
    timeoutNowSent = false;
    lease.endTransfer();
  }

  private void broadcastHeartbeat() {
    for (Map.Entry<String, Progress> e : progress.entrySet()) {
      long commit = Math.min(e.getValue().match, log.committed());
      core.send(Message.of(MessageType.HEARTBEAT, self, e.getKey(), term).withCommit(commit).withSeq(lease.currentSeq()));
    }
  }

  private void sendTimeoutNow() {
    if (timeoutNowSent) return;
    timeoutNowSent = true;
    core.send(Message.of(MessageType.TIMEOUT_NOW, self, transferTarget, term).withSeq(transferSeq));
  }

  /** Sends the next append to {@code peer} if flow control allows; returns whether one was sent. */
  private boolean sendAppend(String peer, boolean sendIfEmpty) {
    Progress pr = progress.get(peer);
    if (pr == null || pr.isPaused()) return false;
    long prevIndex = pr.next - 1;
    long prevTerm = log.term(prevIndex);
    if (prevTerm == RaftLog.COMPACTED || pr.next < log.firstIndex()) return sendSnapshot(peer, pr);
    List<Entry> ents = log.entries(pr.next, config.maxBatchBytes());
    if (ents.isEmpty() && !sendIfEmpty) return false;
    core.send(Message.of(MessageType.APPEND, self, peer, term).withLog(prevTerm, prevIndex)
        .withEntries(ents, log.committed()).withSeq(lease.currentSeq()));
    if (!ents.isEmpty()) {
      pr.sentEntries(ents.get(ents.size() - 1).index());
    } else if (pr.state == Progress.State.PROBE) {
      pr.probeSent = true;
    }
    return !ents.isEmpty() && pr.state == Progress.State.REPLICATE;
  }

  private boolean sendSnapshot(String peer, Progress pr) {
    if (!pr.recentActive) return false; // the node would stream a checkpoint into the void
    SnapshotMeta snapshot = log.storage().snapshot();
    if (snapshot.isEmpty()) {
      throw new IllegalStateException(peer + " needs entry " + pr.next + " but the log starts at " + log.firstIndex()
          + " and the storage has no snapshot");
    }
    core.send(Message.installSnapshot(self, peer, term, snapshot, lease.currentSeq()));
    pr.becomeSnapshot(snapshot.index());
    return false;
  }
}
