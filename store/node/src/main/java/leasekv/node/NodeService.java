package leasekv.node;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import leasekv.fsm.ApplyResult;
import leasekv.fsm.Command;
import leasekv.fsm.CommandCodec;
import leasekv.fsm.Digest;
import leasekv.fsm.StateMachine;
import leasekv.raft.ConfChange;
import leasekv.raft.EntryId;
import leasekv.raft.LeaseState;
import leasekv.raft.ProposalRejectedException;
import leasekv.raft.Role;
import leasekv.raft.Status;
import leasekv.server.ClockState;
import leasekv.server.ErrorWord;
import leasekv.server.KvException;
import leasekv.server.KvService;
import leasekv.server.NodeRole;
import leasekv.server.RequestId;
import leasekv.server.RoleInfo;
import leasekv.server.ServedRead;
import leasekv.server.StateDigest;
import leasekv.server.WriteCommand;
import leasekv.transport.PeerTransport;

/** The node behind the RESP server: reads through {@link ReadPath}, writes through the Raft loop. */
final class NodeService implements KvService {
  private final NodeConfig config;
  private final AdjustableClock clock;
  private final RaftLoop loop;
  private final ReadPath reads;
  private final Proposals proposals;
  private final Applier applier;
  private final StateMachine fsm;
  private final LogCompactor compactor;
  private final PeerTransport transport;
  private final NodeInfo info;
  /** Test hooks step it; nothing in the node reads it for a decision (see WallClock). */
  private final WallClock wallClock = WallClock.system();
  private volatile boolean serving;

  NodeService(NodeConfig config, AdjustableClock clock, RaftLoop loop, ReadPath reads, Proposals proposals,
      Applier applier, StateMachine fsm, LogCompactor compactor, PeerTransport transport, NodeInfo info) {
    this.config = config;
    this.clock = clock;
    this.loop = loop;
    this.reads = reads;
    this.proposals = proposals;
    this.applier = applier;
    this.fsm = fsm;
    this.compactor = compactor;
    this.transport = transport;
    this.info = info;
  }

  void startServing() {
    serving = true;
    reads.startServing();
  }

  boolean serving() {
    return serving;
  }

  // ---- reads ----

  @Override
  public CompletableFuture<Void> ping() {
    return serving ? CompletableFuture.completedFuture(null) : failed(notReady());
  }

  @Override
  public CompletableFuture<byte[]> get(byte[] key) {
    return reads.read(view -> view.get(key)).thenApply(ReadPath.Served::value);
  }

  @Override
  public CompletableFuture<ServedRead> read(byte[] key) {
    return reads.read(view -> view.get(key))
        .thenApply(s -> new ServedRead(s.value(), config.id(), s.term(), s.mode(), s.appliedIndex()));
  }

  @Override
  public CompletableFuture<List<byte[]>> lrange(byte[] key, long start, long stop) {
    return reads.read(view -> view.lrange(key, start, stop)).thenApply(ReadPath.Served::value);
  }

  // ---- writes ----

  @Override
  public CompletableFuture<Long> write(RequestId requestId, WriteCommand command) {
    if (!serving) return failed(notReady());
    LeaseState s = loop.leaseState();
    if (s.role() != Role.LEADER) return failed(notLeader(s.leaderId()));
    byte[] data = CommandCodec.encode(toCommand(requestId, command));
    return propose(data).thenApply(NodeService::toReply);
  }

  private CompletableFuture<ApplyResult> propose(byte[] data) {
    CompletableFuture<ApplyResult> applied = new CompletableFuture<>();
    boolean queued = loop.execute(() -> {
      try {
        EntryId id = loop.core().propose(data);
        proposals.register(id, deadline(), applied);
      } catch (ProposalRejectedException e) {
        applied.completeExceptionally(rejected(e));
      }
    });
    if (!queued) applied.completeExceptionally(new KvException(ErrorWord.BUSY, "the node's request queue is full"));
    return applied;
  }

  private long deadline() {
    return clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMillis());
  }

  private static long toReply(ApplyResult r) {
    return switch (r.kind()) {
      case ERROR -> throw new KvException(errorWord(r.errorCode()), r.errorMessage());
      case OK, NONE, SKIPPED -> 0L;
      case BOOL, LONG -> r.number();
    };
  }

  private static ErrorWord errorWord(String code) {
    try {
      return ErrorWord.valueOf(code);
    } catch (IllegalArgumentException e) {
      return ErrorWord.ERR;
    }
  }

  static Command toCommand(RequestId id, WriteCommand c) {
    Command.ClientTag tag = id == null ? null : new Command.ClientTag(id.clientId(), id.seq());
    if (c instanceof WriteCommand.Set s) return new Command.Set(tag, s.key(), s.value());
    if (c instanceof WriteCommand.Del d) return new Command.Del(tag, d.key());
    if (c instanceof WriteCommand.Cas x) return new Command.Cas(tag, x.key(), x.expected(), x.replacement());
    if (c instanceof WriteCommand.RPush p) return new Command.RPush(tag, p.key(), p.values());
    throw new IllegalArgumentException("unknown write command " + c);
  }

  // ---- status ----

  @Override
  public CompletableFuture<RoleInfo> role() {
    Status s = loop.status();
    NodeRole role = serving ? nodeRole(s.role()) : NodeRole.REPLAYING;
    PeerAddress leader = s.leaderId() == null ? null : config.peers().get(s.leaderId());
    return CompletableFuture.completedFuture(new RoleInfo(role, config.id(), s.term(), s.leaderId(),
        leader == null ? null : leader.clientHostPort(), s.commitIndex(), applier.appliedIndex()));
  }

  @Override
  public CompletableFuture<String> info(String section) {
    return CompletableFuture.completedFuture(info.render(section, serving));
  }

  private static NodeRole nodeRole(Role r) {
    return switch (r) {
      case LEADER -> NodeRole.LEADER;
      case FOLLOWER -> NodeRole.FOLLOWER;
      case CANDIDATE -> NodeRole.CANDIDATE;
      case PRE_CANDIDATE -> NodeRole.PRE_CANDIDATE;
    };
  }

  // ---- admin ----

  @Override
  public CompletableFuture<StateDigest> adminDigest() {
    return applier.call(() -> {
      Digest d = fsm.digest();
      return new StateDigest(d.appliedIndex(), d.hex());
    });
  }

  @Override
  public CompletableFuture<List<String>> adminMembers() {
    return loop.call(() -> loop.core().conf().voters());
  }

  @Override
  public CompletableFuture<Void> adminAddVoter(String nodeId) {
    PeerAddress address = config.peers().get(nodeId);
    if (address == null) {
      return failed(new KvException(ErrorWord.ERR, "unknown node '" + nodeId + "': a voter must be listed in --peers"));
    }
    if (!nodeId.equals(config.id())) transport.addPeer(nodeId, address.peerSocket());
    return confChange(ConfChange.addVoter(nodeId));
  }

  @Override
  public CompletableFuture<Void> adminRemoveVoter(String nodeId) {
    return confChange(ConfChange.removeVoter(nodeId));
  }

  private CompletableFuture<Void> confChange(ConfChange change) {
    CompletableFuture<ApplyResult> applied = new CompletableFuture<>();
    boolean queued = loop.execute(() -> {
      try {
        EntryId id = loop.core().proposeConfChange(change);
        proposals.register(id, deadline(), applied);
      } catch (ProposalRejectedException e) {
        applied.completeExceptionally(rejected(e));
      } catch (IllegalArgumentException e) {
        applied.completeExceptionally(new KvException(ErrorWord.ERR, e.getMessage()));
      }
    });
    if (!queued) applied.completeExceptionally(new KvException(ErrorWord.BUSY, "the node's request queue is full"));
    return applied.thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Void> adminSnapshot() {
    if (!serving) return failed(notReady());
    return applier.call(() -> compactor.pass(applier.appliedIndex(), config.logRetainEntries())).thenApply(t -> null);
  }

  @Override
  public CompletableFuture<Void> adminTransfer(String nodeId) {
    if (!config.testHooks()) return failed(disabled());
    if (!config.peers().containsKey(nodeId)) return failed(new KvException(ErrorWord.ERR, "unknown node '" + nodeId + "'"));
    CompletableFuture<Void> done = new CompletableFuture<>();
    boolean queued = loop.execute(() -> {
      try {
        loop.core().transferLeadership(nodeId);
        loop.awaitLeader(nodeId, TimeUnit.MILLISECONDS.toNanos(2 * config.electionTimeoutMillis() + 1000), done);
      } catch (ProposalRejectedException e) {
        done.completeExceptionally(rejected(e));
      }
    });
    if (!queued) done.completeExceptionally(new KvException(ErrorWord.BUSY, "the node's request queue is full"));
    return done;
  }

  @Override
  public CompletableFuture<ClockState> adminClock() {
    if (!config.testHooks()) return failed(disabled());
    return CompletableFuture.completedFuture(new ClockState(clock.rate(), clock.steppedNanos(), clock.nanoTime(),
        TimeUnit.MILLISECONDS.toNanos(wallClock.offsetMillis())));
  }

  @Override
  public CompletableFuture<Void> adminClockRate(double rate) {
    if (!config.testHooks()) return failed(disabled());
    try {
      clock.setRate(rate);
    } catch (IllegalArgumentException e) {
      return failed(new KvException(ErrorWord.ERR, e.getMessage()));
    }
    info.log().info("clock rate set to " + rate);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> adminClockStep(long millis) {
    if (!config.testHooks()) return failed(disabled());
    clock.stepForward(TimeUnit.MILLISECONDS.toNanos(millis));
    info.log().info("clock stepped forward by " + millis + " ms");
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> adminClockReset() {
    if (!config.testHooks()) return failed(disabled());
    clock.reset();
    wallClock.reset();
    info.log().info("clock rate reset to 1, wall clock back to real time");
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> adminClockWallStep(long millis) {
    if (!config.testHooks()) return failed(disabled());
    try {
      wallClock.step(millis);
    } catch (ArithmeticException e) {
      return failed(new KvException(ErrorWord.ERR, "the wall clock's offset would overflow"));
    }
    info.log().info("wall clock stepped by " + millis + " ms (offset now " + wallClock.offsetMillis() + " ms)");
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> adminStallApply(long millis) {
    if (!config.testHooks()) return failed(disabled());
    applier.stall(millis);
    info.log().info(millis > 0 ? "apply thread stalled for " + millis + " ms" : "apply stall ended");
    return CompletableFuture.completedFuture(null);
  }

  // ---- errors ----

  KvException notLeader(String leaderId) {
    PeerAddress leader = leaderId == null ? null : config.peers().get(leaderId);
    if (leader == null || leaderId.equals(config.id())) return KvException.notLeaderUnknown();
    return KvException.notLeader(leaderId, leader.clientHostPort());
  }

  private KvException rejected(ProposalRejectedException e) {
    return switch (e.reason()) {
      case NOT_LEADER -> notLeader(e.leaderId());
      default -> new KvException(ErrorWord.BUSY, e.getMessage());
    };
  }

  private static KvException notReady() {
    return new KvException(ErrorWord.NOTREADY, "replaying the log");
  }

  private static KvException disabled() {
    return new KvException(ErrorWord.DISABLED, "test hooks are disabled (start the node with --test-hooks)");
  }

  private static <T> CompletableFuture<T> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }

  Map<String, PeerAddress> peers() {
    return config.peers();
  }
}
