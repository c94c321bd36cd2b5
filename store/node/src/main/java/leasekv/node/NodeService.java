package leasekv.node;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import leasekv.fsm.ApplyResult;
import leasekv.fsm.Command;
import leasekv.fsm.CommandCodec;
import leasekv.fsm.Digest;
import leasekv.fsm.WrongTypeException;
import leasekv.raft.ConfChange;
import leasekv.raft.LeaseState;
import leasekv.raft.Role;
import leasekv.raft.Status;
import leasekv.replica.ReadPath;
import leasekv.replica.Replica;
import leasekv.replica.ReplicaException;
import leasekv.server.ClockState;
import leasekv.server.ErrorWord;
import leasekv.server.KvException;
import leasekv.server.KvService;
import leasekv.server.NodeRole;
import leasekv.server.ReadMode;
import leasekv.server.RequestId;
import leasekv.server.RoleInfo;
import leasekv.server.ServedRead;
import leasekv.server.StateDigest;
import leasekv.server.WriteCommand;
import leasekv.transport.PeerTransport;

/**
 * The RESP server's view of the node: reads through the replica's read path (any thread), writes
 * and admin commands through the replica's inbox, and every failure translated into the reply's
 * first word (docs/contracts.md): the replica's refusals, and WRONGTYPE for a read of the wrong
 * kind of key.
 */
final class NodeService implements KvService {
  private static final Logger LOG = System.getLogger("leasekv.service");
  private final NodeConfig config;
  private final AdjustableClock clock;
  private final Replica replica;
  private final ReplicaInbox inbox;
  private final PeerTransport transport;
  private final NodeInfo info;
  private final ApplyThread applyThread;
  private final CrashPoints crashPoints;

  /** Test hooks step it; nothing in the node reads it for a decision (see WallClock). */
  private final WallClock wallClock = WallClock.system();

  NodeService(
      NodeConfig config,
      AdjustableClock clock,
      Replica replica,
      ReplicaInbox inbox,
      PeerTransport transport,
      ApplyThread applyThread,
      CrashPoints crashPoints,
      NodeInfo info) {
    this.config = config;
    this.applyThread = applyThread;
    this.crashPoints = crashPoints;
    this.clock = clock;
    this.replica = replica;
    this.inbox = inbox;
    this.transport = transport;
    this.info = info;
  }

  // ---- reads ----

  @Override
  public CompletableFuture<Void> ping() {
    return replica.serving() ? CompletableFuture.completedFuture(null) : failed(notReady());
  }

  @Override
  public CompletableFuture<byte[]> get(byte[] key) {
    return read(view -> view.get(key)).thenApply(leasekv.replica.ServedRead::value);
  }

  @Override
  public CompletableFuture<ServedRead> read(byte[] key) {
    return read(view -> view.get(key))
        .thenApply(
            s -> new ServedRead(s.value(), config.id(), s.term(), mode(s.how()), s.appliedIndex()));
  }

  @Override
  public CompletableFuture<List<byte[]>> lrange(byte[] key, long start, long stop) {
    return read(view -> view.lrange(key, start, stop)).thenApply(leasekv.replica.ServedRead::value);
  }

  private <T> CompletableFuture<leasekv.replica.ServedRead<T>> read(ReadPath.ReadFn<T> fn) {
    return translated(replica.reads().read(fn));
  }

  private static ReadMode mode(leasekv.replica.ServedRead.How how) {
    return switch (how) {
      case LEASE -> ReadMode.LEASE;
      case READ_INDEX -> ReadMode.READ_INDEX;
      case LOCAL_UNSAFE -> ReadMode.LOCAL_UNSAFE;
    };
  }

  // ---- writes ----

  @Override
  public CompletableFuture<Long> write(RequestId requestId, WriteCommand command) {
    if (!replica.serving()) return failed(notReady());
    LeaseState s = replica.leaseState();
    if (s.role() != Role.LEADER) return failed(notLeader(s.leaderId()));
    byte[] data = CommandCodec.encode(toCommand(requestId, command));
    return translated(inbox.call(r -> r.propose(data))).thenApply(NodeService::toReply);
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
    if (c instanceof WriteCommand.Cas x)
      return new Command.Cas(tag, x.key(), x.expected(), x.replacement());
    if (c instanceof WriteCommand.RPush p) return new Command.RPush(tag, p.key(), p.values());
    throw new IllegalArgumentException("unknown write command " + c);
  }

  // ---- status ----

  @Override
  public CompletableFuture<RoleInfo> role() {
    Status s = replica.status();
    NodeRole role = replica.serving() ? nodeRole(s.role()) : NodeRole.REPLAYING;
    PeerAddress leader = s.leaderId() == null ? null : config.peers().get(s.leaderId());
    return CompletableFuture.completedFuture(
        new RoleInfo(
            role,
            config.id(),
            s.term(),
            s.leaderId(),
            leader == null ? null : leader.clientHostPort(),
            s.commitIndex(),
            replica.appliedIndex()));
  }

  @Override
  public CompletableFuture<String> info(String section) {
    return CompletableFuture.completedFuture(info.render(section, replica.serving()));
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
    return translated(replica.digest())
        .thenApply((Digest d) -> new StateDigest(d.appliedIndex(), d.hex()));
  }

  @Override
  public CompletableFuture<List<String>> adminMembers() {
    return inbox.call(r -> CompletableFuture.completedFuture(r.conf().voters()));
  }

  @Override
  public CompletableFuture<Void> adminAddVoter(String nodeId) {
    PeerAddress address = config.peers().get(nodeId);
    if (address == null) {
      return failed(
          new KvException(
              ErrorWord.ERR, "unknown node '" + nodeId + "': a voter must be listed in --peers"));
    }
    if (!nodeId.equals(config.id())) transport.addPeer(nodeId, address.peerSocket());
    return confChange(ConfChange.addVoter(nodeId));
  }

  @Override
  public CompletableFuture<Void> adminRemoveVoter(String nodeId) {
    return confChange(ConfChange.removeVoter(nodeId));
  }

  private CompletableFuture<Void> confChange(ConfChange change) {
    return translated(inbox.call(r -> r.proposeConfChange(change))).thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Void> adminSnapshot() {
    return translated(replica.compactNow()).thenApply(t -> null);
  }

  @Override
  public CompletableFuture<Void> adminTransfer(String nodeId) {
    if (!config.testHooks()) return failed(disabled());
    if (!config.peers().containsKey(nodeId))
      return failed(new KvException(ErrorWord.ERR, "unknown node '" + nodeId + "'"));
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(2 * config.electionTimeoutMillis() + 1000);
    return translated(inbox.call(r -> r.transferLeadership(nodeId, timeoutNanos)));
  }

  @Override
  public CompletableFuture<ClockState> adminClock() {
    if (!config.testHooks()) return failed(disabled());
    return CompletableFuture.completedFuture(
        new ClockState(
            clock.rate(),
            clock.steppedNanos(),
            clock.nanoTime(),
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
    LOG.log(Level.INFO, "clock rate set to " + rate);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> adminClockStep(long millis) {
    if (!config.testHooks()) return failed(disabled());
    clock.stepForward(TimeUnit.MILLISECONDS.toNanos(millis));
    LOG.log(Level.INFO, "clock stepped forward by " + millis + " ms");
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> adminClockReset() {
    if (!config.testHooks()) return failed(disabled());
    clock.reset();
    wallClock.reset();
    LOG.log(Level.INFO, "clock rate reset to 1, wall clock back to real time");
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
    LOG.log(
        Level.INFO,
        "wall clock stepped by " + millis + " ms (offset now " + wallClock.offsetMillis() + " ms)");
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> adminStallApply(long millis) {
    if (!config.testHooks()) return failed(disabled());
    applyThread.stall(millis);
    LOG.log(
        Level.INFO,
        millis > 0 ? "apply thread stalled for " + millis + " ms" : "apply stall ended");
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> adminCrashAt(String point) {
    if (!config.testHooks()) return failed(disabled());
    try {
      crashPoints.arm(CrashPoints.Point.parse(point));
    } catch (IllegalArgumentException e) {
      return failed(new KvException(ErrorWord.ERR, e.getMessage()));
    }
    return CompletableFuture.completedFuture(null);
  }

  // ---- errors ----

  /** The same outcome, with the replica's failures as the reply words of docs/contracts.md. */
  private <T> CompletableFuture<T> translated(CompletableFuture<T> future) {
    CompletableFuture<T> out = new CompletableFuture<>();
    future.whenComplete(
        (v, e) -> {
          if (e == null) out.complete(v);
          else out.completeExceptionally(reply(e));
        });
    return out;
  }

  private Throwable reply(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) e = e.getCause();
    if (e instanceof WrongTypeException) {
      return new KvException(
          ErrorWord.WRONGTYPE, "Operation against a key holding the wrong kind of value");
    }
    if (!(e instanceof ReplicaException r)) return e;
    return switch (r.refusal()) {
      case NOT_LEADER -> notLeader(r.leaderId());
      case NOT_READY -> new KvException(ErrorWord.NOTREADY, r.getMessage());
      case BUSY -> new KvException(ErrorWord.BUSY, r.getMessage());
      case INVALID -> new KvException(ErrorWord.ERR, r.getMessage());
      case TIMEOUT -> new KvException(ErrorWord.TIMEOUT, r.getMessage());
      case UNCERTAIN -> new KvException(ErrorWord.UNCERTAIN, r.getMessage());
    };
  }

  KvException notLeader(String leaderId) {
    PeerAddress leader = leaderId == null ? null : config.peers().get(leaderId);
    if (leader == null || leaderId.equals(config.id())) return KvException.notLeaderUnknown();
    return KvException.notLeader(leaderId, leader.clientHostPort());
  }

  private static KvException notReady() {
    return new KvException(ErrorWord.NOTREADY, "replaying the log");
  }

  private static KvException disabled() {
    return new KvException(
        ErrorWord.DISABLED, "test hooks are disabled (start the node with --test-hooks)");
  }

  private static <T> CompletableFuture<T> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }
}
