package leasekv.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

/**
 * One Raft peer as a deterministic state machine: no threads, no I/O, time only from the injected
 * {@link Clock}, randomness only from the injected {@link Random}. Not thread-safe: one driver thread
 * calls everything. See the package documentation for the driver loop.
 *
 * <p>Election uses pre-vote and check-quorum. Votes (real and pre-) are refused, without a term
 * change, within the minimum election timeout of hearing from a leader, and for one election timeout
 * after start, so that a leader's lease (see {@link LeaderLease}) is honoured.
 */
public final class RaftCore {
  private final RaftConfig config;
  private final String id;
  private final Clock clock;
  private final Random random;
  private final RaftLog log;

  private long term;
  private String votedFor;
  private Role role = Role.FOLLOWER;
  private String leaderId;
  /** Ticks since we last heard from the leader (follower), or since the campaign started. */
  private int electionElapsed;
  private int randomizedElectionTimeout;
  /** Ticks since this core was constructed, capped; votes are refused until one election timeout. */
  private int ticksSinceStart;
  /** Highest round seq received from the leader of the current term. */
  private long lastLeaderSeq;
  /**
   * Ticks since a leader's message last arrived, whatever our role since: the vote-refusal window of
   * lease rule L5. Separate from {@code electionElapsed}, which campaigns reset.
   */
  private int ticksSinceLeaderContact;
  private final TreeMap<String, Boolean> votes = new TreeMap<>();
  private Leader leader;

  private final List<Message> outbox = new ArrayList<>();
  private final List<ReadState> readStates = new ArrayList<>();
  private final List<Long> abortedReads = new ArrayList<>();
  private HardState persistedHardState;
  private LeaseState publishedLeaseState;
  private Ready outstanding;
  private String lastStepDownReason;

  /**
   * Starts a core over what {@code storage} holds. A completely empty storage with non-empty {@link
   * RaftConfig#initialVoters()} is bootstrapped: entry 1 (term 1) is a CONFIG entry with those voters,
   * identical on every initial member, and is committed by construction.
   *
   * @throws IllegalStateException if storage and {@link RaftConfig#appliedIndex()} are inconsistent
   */
  public RaftCore(RaftConfig config, LogStorage storage, Clock clock, Random random) {
    this.config = Objects.requireNonNull(config, "config");
    this.id = config.id();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.log = new RaftLog(Objects.requireNonNull(storage, "storage"));
    HardState hs = storage.hardState();
    persistedHardState = hs;
    boolean bootstrapped = isEmpty(storage, hs) && !config.initialVoters().isEmpty();
    if (bootstrapped) {
      ConfState initial = new ConfState(config.initialVoters());
      log.append(List.of(new Entry(1, 1, EntryType.CONFIG, initial.encode())));
      term = 1;
      log.commitTo(1);
    } else {
      term = hs.term();
      votedFor = hs.votedFor();
      if (hs.commit() > log.lastIndex()) {
        throw new IllegalStateException("persisted commit index " + hs.commit() + " is past the log's last index "
            + log.lastIndex() + ": the log lost entries it had acknowledged");
      }
      log.commitTo(hs.commit());
    }
    initApplied(config.appliedIndex());
    resetRandomizedElectionTimeout();
    ticksSinceLeaderContact = config.electionTimeoutTicks() + 1; // a restart is covered by ticksSinceStart
    // UNSAFE vote-right-after-restart: every start is treated as a brand-new node's
    if (bootstrapped || config.isUnsafe(UnsafeMode.VOTE_RIGHT_AFTER_RESTART)) skipStartupWaits();
    publishedLeaseState = leaseState();
  }

  /**
   * A node whose storage was empty has never run, so it never acknowledged a leader and holds no
   * lease promise: the vote refusal after a restart (lease rule L6) does not apply, and its first
   * election need not wait a whole timeout on top of the randomized part (etcd's
   * initial-election-tick-advance). This only shortens a new cluster's first election.
   */
  private void skipStartupWaits() {
    ticksSinceStart = config.electionTimeoutTicks() + 1;
    electionElapsed = config.electionTimeoutTicks() - 1;
  }

  private static boolean isEmpty(LogStorage s, HardState hs) {
    return s.lastIndex() == 0 && s.snapshot().isEmpty() && hs.equals(HardState.EMPTY);
  }

  private void initApplied(long applied) {
    long compactedTo = log.firstIndex() - 1;
    if (applied > log.lastIndex()) {
      throw new IllegalStateException("state machine applied index " + applied + " is past the log's last index "
          + log.lastIndex() + ": the log lost entries the state machine applied");
    }
    if (applied < compactedTo) {
      throw new IllegalStateException("state machine applied index " + applied + " is below the log's compaction point "
          + compactedTo + ": the log was compacted past what the state machine made durable");
    }
    log.initApplied(Math.max(applied, compactedTo));
  }

  // ------------------------------------------------------------------ inputs

  /** Advances logical time by one tick; call once per {@link RaftConfig#tickNanos()} of the clock, never faster. */
  public void tick() {
    if (ticksSinceStart < Integer.MAX_VALUE) ticksSinceStart++;
    if (ticksSinceLeaderContact < Integer.MAX_VALUE) ticksSinceLeaderContact++;
    advanceTimers();
  }

  /**
   * A further tick of a batch the driver replays at once after a stall or a forward clock jump: it
   * drives heartbeats and election timers like {@link #tick()}, but does not count toward the
   * vote-refusal windows (lease rules L5 and L6), so that a clock that jumps forward shortens a
   * refusal by at most the one tick the lease bound (L4) reserves for it.
   */
  public void tickCatchingUp() {
    advanceTimers();
  }

  private void advanceTimers() {
    if (role == Role.LEADER) {
      leader.tick();
      return;
    }
    electionElapsed++;
    if (promotable() && electionElapsed >= randomizedElectionTimeout) {
      electionElapsed = 0;
      startPreCampaign();
    }
  }

  /**
   * Starts a (pre-vote) campaign now, as if the election timer fired; ignored on a leader or a
   * non-voter. Peers still refuse votes within their lease windows, so this cannot depose a healthy
   * leader; use {@link #transferLeadership} for that.
   */
  public void campaign() {
    if (role != Role.LEADER && promotable()) {
      electionElapsed = 0;
      startPreCampaign();
    }
  }

  /**
   * Processes a message from a peer.
   *
   * @throws IllegalArgumentException if it is not addressed to this core (the message is dropped)
   */
  public void step(Message m) {
    Objects.requireNonNull(m, "message");
    if (!m.to().equals(id)) throw new IllegalArgumentException("message for " + m.to() + " stepped into " + id + ": " + m);
    if (m.from().equals(id)) throw new IllegalArgumentException("message from " + id + " to itself: " + m);
    m.checkEntriesFollowIndex();
    if (m.term() > term) {
      if (m.type().isVoteRequest() && !mayVote(m)) return; // refused silently: no term change
      boolean futureTermGrant = m.type() == MessageType.PRE_VOTE
          || (m.type() == MessageType.PRE_VOTE_RESPONSE && !m.reject());
      if (!futureTermGrant) becomeFollower(m.term(), m.type().isFromLeader() ? m.from() : null);
    } else if (m.term() < term) {
      answerStaleTerm(m);
      return;
    }
    if (m.type().isVoteRequest()) {
      handleVoteRequest(m);
      return;
    }
    switch (role) {
      case LEADER -> stepLeader(m);
      case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
      case FOLLOWER -> stepFollower(m);
    }
  }

  /**
   * Appends {@code data} as a NORMAL entry.
   *
   * @return where it landed; it is committed iff the entry applied at that index has that term
   * @throws ProposalRejectedException if not leader or a transfer is in progress (nothing was appended)
   */
  public EntryId propose(byte[] data) {
    requireLeaderAcceptingWrites();
    return leader.append(Entry.normal(term, log.lastIndex() + 1, data));
  }

  /**
   * Proposes a single-server membership change. The new configuration takes effect on every member
   * as soon as the entry is in its log (dissertation §4.1); only one may be uncommitted at a time, and
   * only after this leader committed an entry of its term (the fix for the single-server-change bug).
   */
  public EntryId proposeConfChange(ConfChange change) {
    requireLeaderAcceptingWrites();
    if (!leader.committedInOwnTerm()) {
      throw new ProposalRejectedException(ProposalRejectedException.Reason.NOT_COMMITTED_IN_TERM, id,
          "the new leader has not yet committed an entry of term " + term);
    }
    if (log.confIndex() > log.committed()) {
      throw new ProposalRejectedException(ProposalRejectedException.Reason.CONF_CHANGE_IN_PROGRESS, id,
          "membership change at index " + log.confIndex() + " is not committed yet (commit " + log.committed() + ")");
    }
    ConfState next = change.applyTo(log.conf());
    return leader.append(new Entry(term, log.lastIndex() + 1, EntryType.CONFIG, next.encode()));
  }

  /**
   * Starts handing leadership to {@code target}: drops the lease and stops accepting proposals, brings
   * the target up to date, then sends it TimeoutNow. Aborts after {@link RaftConfig#transferTimeoutTicks()}.
   * A transfer to ourselves is a no-op.
   */
  public void transferLeadership(String target) {
    Objects.requireNonNull(target, "target");
    requireLeader();
    if (target.equals(id)) return;
    leader.transfer(target);
  }

  /**
   * Asks to confirm leadership for a linearizable read (the fallback when the lease is not valid).
   * The answer comes in a later {@link Ready#readStates()} (or {@link Ready#abortedReadRequests()}).
   *
   * @throws ProposalRejectedException if not leader or a transfer is in progress
   */
  public void readIndex(long requestId) {
    requireLeader();
    if (leader.isTransferring()) {
      throw new ProposalRejectedException(ProposalRejectedException.Reason.TRANSFER_IN_PROGRESS, id,
          "leadership transfer to " + leader.transferTarget() + " in progress");
    }
    leader.addRead(requestId);
  }

  /** The transport could not reach {@code peer}: stop streaming appends to it and probe instead. */
  public void reportUnreachable(String peer) {
    if (leader != null) leader.onUnreachable(peer);
  }

  /** The node finished (or failed) streaming the snapshot of an INSTALL_SNAPSHOT to {@code peer}. */
  public void reportSnapshot(String peer, boolean success) {
    if (leader != null) leader.onSnapshotReport(peer, success);
  }

  /**
   * The node compacted the log: {@code storage.snapshot()} now describes entries up to {@code index}.
   * It must do so only up to the state machine's DURABLE applied index.
   */
  public void onLogCompacted(long index) {
    if (index > log.applied()) {
      throw new IllegalArgumentException("log compacted to " + index + " past the applied index " + log.applied());
    }
    long snapshotIndex = log.storage().snapshot().index();
    if (snapshotIndex < index) {
      throw new IllegalArgumentException("log compacted to " + index + " but the storage's snapshot is at " + snapshotIndex);
    }
    log.onCompacted(snapshotIndex);
  }

  // ------------------------------------------------------------------ outputs

  /** True if {@link #ready()} has work. False while a Ready is outstanding (not yet advanced). */
  public boolean hasReady() {
    if (outstanding != null) return false;
    return !outbox.isEmpty() || log.hasUnstable() || !currentHardState().equals(persistedHardState)
        || log.hasCommittedEntriesToApply() || !readStates.isEmpty() || !abortedReads.isEmpty()
        || (leader != null && leader.hasPendingFlush()) || !leaseState().equals(publishedLeaseState);
  }

  /** The next batch of work; must be followed by {@link #advance(Ready)} before the next one. */
  public Ready ready() {
    if (outstanding != null) throw new IllegalStateException("advance() the previous Ready before asking for another");
    if (leader != null) leader.flush();
    HardState hs = currentHardState();
    HardState changed = hs.equals(persistedHardState) ? null : hs;
    List<Entry> entries = log.unstableEntries();
    SnapshotMeta snapshot = log.unstableSnapshot();
    boolean mustSync = !entries.isEmpty() || snapshot != null || (changed != null && changed.mustSyncComparedTo(persistedHardState));
    Ready r = new Ready(leaseState(), changed, entries, snapshot,
        log.committedEntriesToApply(config.maxCommittedBytesPerReady()),
        outbox, readStates, abortedReads, mustSync);
    outbox.clear();
    readStates.clear();
    abortedReads.clear();
    outstanding = r;
    return r;
  }

  /** The node persisted, sent and applied {@code ready}. */
  public void advance(Ready ready) {
    if (ready != outstanding) throw new IllegalStateException("advance() must be given the Ready returned by the last ready()");
    outstanding = null;
    if (ready.hardState() != null) persistedHardState = ready.hardState();
    publishedLeaseState = ready.leaseState();
    if (ready.snapshot() != null) {
      log.stableSnapshotTo(ready.snapshot().index());
      log.appliedTo(ready.snapshot().index());
    }
    if (!ready.entries().isEmpty()) {
      Entry last = ready.entries().get(ready.entries().size() - 1);
      log.stableTo(last.index(), last.term());
    }
    if (!ready.committedEntries().isEmpty()) {
      log.appliedTo(ready.committedEntries().get(ready.committedEntries().size() - 1).index());
    }
    if (leader != null) leader.onSelfPersisted();
  }

  /** The leadership view for lease reads; see {@link LeaseState}. */
  public LeaseState leaseState() {
    long commit = log.committed();
    if (role != Role.LEADER) return LeaseState.notLeader(term, role, leaderId, commit);
    Long until = leader.leaseUntil();
    return new LeaseState(term, role, id, until != null, until == null ? 0 : until, log.term(commit) == term, commit,
        config.isUnsafe(UnsafeMode.NO_LEASE_CHECK), config.isUnsafe(UnsafeMode.READ_BEFORE_OWN_TERM_COMMIT));
  }

  public Status status() {
    return new Status(id, role, term, leaderId, log.committed(), log.applied(), log.firstIndex(), log.lastIndex(),
        log.conf().voters(), leader == null ? null : leader.transferTarget());
  }

  public String id() { return id; }
  public long term() { return term; }
  public Role role() { return role; }
  /** The leader of the current term as far as this core knows, or null. */
  public String leaderId() { return leaderId; }
  public RaftConfig config() { return config; }
  /** The membership in effect (the latest in the log). */
  public ConfState conf() { return log.conf(); }

  /** Leader replication state per follower, for debugging output only. */
  public String describeProgress() {
    return leader == null ? "" : leader.describeProgress();
  }

  // ------------------------------------------------------------------ elections

  private boolean promotable() {
    return log.conf().isVoter(id) && log.unstableSnapshot() == null;
  }

  /** Lease rules L5 and L6 (docs/rules.md): may we answer a (pre-)vote request for a higher term at all? */
  private boolean mayVote(Message m) {
    // A refusal lasts E+1 counted ticks: the first may come right after the message, and one more may
    // come early with a forward clock jump; so it covers at least (E - 1) ticks of clock time (L4).
    if (ticksSinceStart <= config.electionTimeoutTicks()) return false; // we may have acked a lease before a restart
    if (config.isUnsafe(UnsafeMode.VOTE_WITHIN_LEASE)) return true; // UNSAFE: no refusal within the lease
    boolean inLease = role == Role.LEADER || ticksSinceLeaderContact <= config.electionTimeoutTicks();
    if (!inLease) return true;
    // A transfer campaign may bypass the lease, unless we heard from our leader after its TimeoutNow
    // (a round newer than the TimeoutNow's): then that transfer was abandoned and the lease renewed.
    long heardSeq = role == Role.LEADER ? leader.lastSentSeq() : lastLeaderSeq;
    return m.transfer() && (term != m.term() - 1 || heardSeq <= m.seq());
  }

  private void handleVoteRequest(Message m) {
    boolean preVote = m.type() == MessageType.PRE_VOTE;
    boolean canVote = Objects.equals(votedFor, m.from())
        || (votedFor == null && leaderId == null)
        || (preVote && m.term() > term);
    MessageType responseType = preVote ? MessageType.PRE_VOTE_RESPONSE : MessageType.VOTE_RESPONSE;
    if (canVote && log.isUpToDate(m.index(), m.logTerm())) {
      send(Message.of(responseType, id, m.from(), m.term()));
      if (!preVote) {
        electionElapsed = 0;
        votedFor = m.from();
      }
    } else {
      send(Message.of(responseType, id, m.from(), term).withReject(true, 0));
    }
  }

  private void startPreCampaign() {
    becomePreCandidate();
    if (recordVote(id, true) == VoteResult.WON) {
      startCampaign(false, 0);
      return;
    }
    for (String voter : log.conf().voters()) {
      if (!voter.equals(id)) send(Message.of(MessageType.PRE_VOTE, id, voter, term + 1).withLog(log.lastTerm(), log.lastIndex()));
    }
  }

  private void startCampaign(boolean transfer, long transferSeq) {
    becomeCandidate();
    if (recordVote(id, true) == VoteResult.WON) {
      becomeLeader();
      return;
    }
    for (String voter : log.conf().voters()) {
      if (!voter.equals(id)) {
        send(Message.of(MessageType.VOTE, id, voter, term).withLog(log.lastTerm(), log.lastIndex())
            .withSeq(transfer ? transferSeq : 0).withTransfer(transfer));
      }
    }
  }

  private enum VoteResult { PENDING, WON, LOST }

  private VoteResult recordVote(String voter, boolean granted) {
    votes.putIfAbsent(voter, granted);
    ConfState conf = log.conf();
    int yes = 0;
    int no = 0;
    for (var e : votes.entrySet()) {
      if (!conf.isVoter(e.getKey())) continue;
      if (e.getValue()) yes++; else no++;
    }
    if (yes >= conf.quorum()) return VoteResult.WON;
    if (no > conf.voters().size() - conf.quorum()) return VoteResult.LOST;
    return VoteResult.PENDING;
  }

  private void stepCandidate(Message m) {
    if (m.type().isFromLeader()) {
      becomeFollower(term, m.from()); // a leader exists for our term (or, pre-candidate, our current one)
      stepFollower(m);
      return;
    }
    boolean ours = (role == Role.PRE_CANDIDATE && m.type() == MessageType.PRE_VOTE_RESPONSE)
        || (role == Role.CANDIDATE && m.type() == MessageType.VOTE_RESPONSE);
    if (!ours) return;
    switch (recordVote(m.from(), !m.reject())) {
      case WON -> {
        if (role == Role.PRE_CANDIDATE) startCampaign(false, 0); else becomeLeader();
      }
      case LOST -> becomeFollower(term, null);
      case PENDING -> { }
    }
  }

  private void stepFollower(Message m) {
    switch (m.type()) {
      case APPEND, HEARTBEAT, INSTALL_SNAPSHOT -> {
        electionElapsed = 0;
        ticksSinceLeaderContact = 0;
        leaderId = m.from();
        lastLeaderSeq = Math.max(lastLeaderSeq, m.seq());
        if (m.type() == MessageType.APPEND) handleAppend(m);
        else if (m.type() == MessageType.HEARTBEAT) handleHeartbeat(m);
        else handleSnapshot(m);
      }
      case TIMEOUT_NOW -> {
        // A newer round than the TimeoutNow's means that transfer was abandoned: ignore it.
        if (promotable() && lastLeaderSeq <= m.seq()) startCampaign(true, m.seq());
      }
      default -> { } // stale responses
    }
  }

  private void stepLeader(Message m) {
    switch (m.type()) {
      case APPEND_RESPONSE -> leader.onAppendResponse(m);
      case HEARTBEAT_RESPONSE -> leader.onHeartbeatResponse(m);
      default -> { } // stale votes; appends from another leader of our term cannot exist
    }
  }

  /** A message from an older term: tell a stale leader or pre-candidate about our term, else drop it. */
  private void answerStaleTerm(Message m) {
    if (m.type().isFromLeader()) {
      send(Message.of(MessageType.APPEND_RESPONSE, id, m.from(), term)); // seq 0: counts for no lease
    } else if (m.type() == MessageType.PRE_VOTE) {
      send(Message.of(MessageType.PRE_VOTE_RESPONSE, id, m.from(), term).withReject(true, 0));
    }
  }

  // ------------------------------------------------------------------ replication (follower side)

  private void handleAppend(Message m) {
    Message reply = Message.of(MessageType.APPEND_RESPONSE, id, m.from(), term).withSeq(m.seq());
    if (m.index() < log.committed()) {
      send(reply.withLog(0, log.committed()));
      return;
    }
    long lastNew = log.maybeAppend(m.index(), m.logTerm(), m.commit(), m.entries());
    if (lastNew >= 0) {
      send(reply.withLog(0, lastNew));
      return;
    }
    long hint = log.findConflictByTerm(Math.min(m.index(), log.lastIndex()), m.logTerm());
    send(reply.withLog(log.term(hint), m.index()).withReject(true, hint));
  }

  private void handleHeartbeat(Message m) {
    log.commitTo(Math.min(m.commit(), log.lastIndex()));
    send(Message.of(MessageType.HEARTBEAT_RESPONSE, id, m.from(), term).withSeq(m.seq()));
  }

  private void handleSnapshot(Message m) {
    SnapshotMeta s = m.snapshot();
    Message reply = Message.of(MessageType.APPEND_RESPONSE, id, m.from(), term).withSeq(m.seq());
    if (s.index() <= log.committed()) {
      send(reply.withLog(0, log.committed()));
    } else if (log.matchTerm(s.index(), s.term())) {
      log.commitTo(s.index()); // we already have the entries it covers
      send(reply.withLog(0, log.committed()));
    } else {
      log.restore(s); // the node installs it from the next Ready, synced, before this reply is sent
      send(reply.withLog(0, s.index()));
    }
  }

  // ------------------------------------------------------------------ role changes

  void stepDown(String why) {
    lastStepDownReason = why;
    becomeFollower(term, null);
  }

  /** Why this core last stepped down from leader on its own (check-quorum, removal), or null; for logs. */
  public String lastStepDownReason() {
    return lastStepDownReason;
  }

  private void becomeFollower(long newTerm, String newLeader) {
    if (leader != null) {
      leader.deactivate(abortedReads);
      leader = null;
    }
    if (newTerm != term) {
      term = newTerm;
      votedFor = null;
      lastLeaderSeq = 0;
    }
    role = Role.FOLLOWER;
    leaderId = newLeader;
    electionElapsed = 0;
    votes.clear();
    resetRandomizedElectionTimeout();
  }

  private void becomePreCandidate() {
    role = Role.PRE_CANDIDATE;
    leaderId = null;
    votes.clear();
    resetRandomizedElectionTimeout();
  }

  private void becomeCandidate() {
    term++;
    votedFor = id;
    lastLeaderSeq = 0;
    role = Role.CANDIDATE;
    leaderId = null;
    electionElapsed = 0;
    votes.clear();
    resetRandomizedElectionTimeout();
  }

  private void becomeLeader() {
    role = Role.LEADER;
    leaderId = id;
    votes.clear();
    leader = new Leader(this, log, config);
    leader.start();
  }

  private void resetRandomizedElectionTimeout() {
    randomizedElectionTimeout = config.electionTimeoutTicks() + random.nextInt(config.electionTimeoutTicks());
  }

  private void requireLeader() {
    if (role != Role.LEADER) {
      throw new ProposalRejectedException(ProposalRejectedException.Reason.NOT_LEADER, leaderId,
          id + " is not the leader" + (leaderId == null ? " (leader unknown)" : "; the leader is " + leaderId));
    }
  }

  private void requireLeaderAcceptingWrites() {
    requireLeader();
    if (leader.isTransferring()) {
      throw new ProposalRejectedException(ProposalRejectedException.Reason.TRANSFER_IN_PROGRESS, id,
          "leadership transfer to " + leader.transferTarget() + " in progress");
    }
    if (!log.conf().isVoter(id)) {
      throw new ProposalRejectedException(ProposalRejectedException.Reason.NOT_LEADER, null,
          id + " is being removed from the configuration");
    }
  }

  private HardState currentHardState() {
    return new HardState(term, votedFor, log.committed());
  }

  // ------------------------------------------------------------------ for Leader

  long now() {
    return clock.nanoTime();
  }

  void send(Message m) {
    outbox.add(m);
  }

  void deliverReadStates(List<ReadState> released) {
    readStates.addAll(released);
  }
}
