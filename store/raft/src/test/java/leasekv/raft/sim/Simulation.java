package leasekv.raft.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import leasekv.raft.ConfChange;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.RaftConfig;
import leasekv.raft.Role;
import leasekv.raft.testing.DriftingClock;
import leasekv.raft.testing.MemoryLogStorage;
import leasekv.raft.testing.RaftInvariants;

/**
 * A deterministic simulation of a leasekv group: N real cores with simulated disks, drifting clocks,
 * a faulty network, clients and a nemesis, all on one seeded random source and one event loop. After
 * the faulty phase everything heals and settles; then the run is checked:
 *
 * <ul>
 *   <li>Raft's safety properties ({@link RaftInvariants}) throughout;
 *   <li>the client history is linearizable per key ({@link RegisterChecker}): no stale read, no lost
 *       acknowledged write;
 *   <li>every voter converges to the state the committed log defines.
 * </ul>
 */
final class Simulation {
  static final long TICK_NANOS = 5_000_000L;
  static final int ELECTION_TIMEOUT_TICKS = 20; // 100 ms
  static final int HEARTBEAT_TICKS = 4; // 20 ms
  static final double CLOCK_DRIFT_BOUND = 0.1;
  static final long SETTLE_NANOS = 4_000_000_000L;

  private final SimParams params;
  private final Random random;
  private final EventLoop loop = new EventLoop();
  private final Map<String, SimNode> nodes = new TreeMap<>();
  private final List<String> ids = new ArrayList<>();
  private final SimNetwork network;
  private final History history = new History();
  private final SimClients clients;
  private final Nemesis nemesis;
  private final RaftInvariants invariants = new RaftInvariants();
  private final List<String> log = new ArrayList<>();
  private final Map<Long, String> leaders = new TreeMap<>();
  private final boolean verbose;
  private int faults;
  /** Debugging: node id (or "*") whose inputs are logged between the two times (simulated ns). */
  private String traceNode;
  private long traceFromNanos;
  private long traceToNanos = Long.MAX_VALUE;

  Simulation(SimParams params, boolean verbose) {
    this.params = params;
    this.verbose = verbose;
    this.random = new Random(params.seed());
    for (int i = 1; i <= params.nodes(); i++) ids.add("n" + i);
    this.network = new SimNetwork(this, new Random(random.nextLong()));
    for (String id : ids) {
      RaftConfig config = RaftConfig.builder(id).tickNanos(TICK_NANOS).electionTimeoutTicks(ELECTION_TIMEOUT_TICKS)
          .heartbeatIntervalTicks(HEARTBEAT_TICKS).clockDriftBound(CLOCK_DRIFT_BOUND).maxInflightAppends(8)
          .maxBatchBytes(16 * 1024).initialVoters(ids).unsafeModes(params.unsafeModes()).build();
      double rate = 1 - CLOCK_DRIFT_BOUND + 2 * CLOCK_DRIFT_BOUND * random.nextDouble();
      DriftingClock clock = new DriftingClock(loop::now, random.nextLong() >>> 8, rate);
      nodes.put(id, new SimNode(this, config, clock, new Random(random.nextLong())));
    }
    this.clients = new SimClients(this, new Random(random.nextLong()), history, params.roamingClients(), params.keys());
    this.nemesis = new Nemesis(this, new Random(random.nextLong()), CLOCK_DRIFT_BOUND);
  }

  static SimResult run(SimParams params) {
    return new Simulation(params, false).execute();
  }

  /** Every fault, leader change and restart so far, with simulated times (for replays). */
  List<String> eventLog() {
    return List.copyOf(log);
  }

  SimResult execute() {
    for (SimNode n : nodes.values()) n.start();
    clients.start();
    nemesis.start();
    loop.runUntil(params.durationNanos());
    nemesis.stop();
    clients.stop();
    healEverything();
    settle();
    return check();
  }

  private void healEverything() {
    network.healAll();
    for (SimNode n : nodes.values()) {
      n.start();
      n.resumeNow();
    }
    recordFault("final heal");
  }

  /** Lets the group recover with no faults, re-adding removed members one at a time. */
  private void settle() {
    long end = loop.now() + SETTLE_NANOS;
    while (loop.now() < end) {
      String leader = currentLeaderId();
      if (leader != null) {
        List<String> voters = node(leader).core().conf().voters();
        ids.stream().filter(id -> !voters.contains(id)).findFirst()
            .ifPresent(missing -> node(leader).proposeConfChange(ConfChange.addVoter(missing)));
      }
      loop.runUntil(loop.now() + 200_000_000L);
    }
  }

  private SimResult check() {
    List<String> violations = new ArrayList<>(invariants.violations());
    Map<String, MemoryLogStorage> logs = new TreeMap<>();
    for (SimNode n : nodes.values()) logs.put(n.id, n.disk.liveLog());
    RaftInvariants logCheck = new RaftInvariants();
    logCheck.checkLogMatching(logs);
    violations.addAll(logCheck.violations());
    violations.addAll(convergenceViolations());
    Map<String, List<String>> committedWrites = committedWritesByKey();
    List<RegisterChecker.Violation> historyViolations = RegisterChecker.check(history.ops(), committedWrites);
    if (verbose || !violations.isEmpty() || !historyViolations.isEmpty()) dumpLog();
    return new SimResult(params, violations, historyViolations, history.count(Op.Kind.WRITE, Op.Outcome.OK),
        history.count(Op.Kind.READ, Op.Outcome.OK), history.leaseReads(),
        history.count(Op.Kind.WRITE, Op.Outcome.FAIL) + history.count(Op.Kind.READ, Op.Outcome.FAIL),
        history.count(Op.Kind.WRITE, Op.Outcome.INFO) + history.count(Op.Kind.READ, Op.Outcome.INFO),
        leaders.size(), faults, loop.executedEvents(), network.sent);
  }

  /** After settling, every voter must have applied the whole committed log and hold the same state. */
  private List<String> convergenceViolations() {
    List<String> out = new ArrayList<>();
    String leader = currentLeaderId();
    if (leader == null) {
      out.add("no leader after " + SETTLE_NANOS / 1_000_000 + " ms without faults: " + nodes.values());
      return out;
    }
    long commit = node(leader).core().status().commitIndex();
    Map<String, String> expected = stateAt(commit);
    for (String voter : node(leader).core().conf().voters()) {
      SimNode n = node(voter);
      if (n.appliedIndex() != commit) {
        out.add("did not converge: " + n + " applied " + n.appliedIndex() + ", leader committed " + commit);
      } else if (!n.state().equals(expected)) {
        out.add("state machine of " + voter + " differs from the committed log: " + n.state() + " vs " + expected);
      }
    }
    return out;
  }

  private Map<String, String> stateAt(long index) {
    Map<String, String> state = new TreeMap<>();
    for (Entry e : invariants.committedEntries().values()) {
      if (e.index() > index) break;
      if (e.type() != EntryType.NORMAL) continue;
      String[] kv = new String(e.data(), StandardCharsets.UTF_8).split("\u0000", 2);
      state.put(kv[0], kv[1]);
    }
    return state;
  }

  private Map<String, List<String>> committedWritesByKey() {
    Map<String, List<String>> out = new TreeMap<>();
    for (Entry e : invariants.committedEntries().values()) {
      if (e.type() != EntryType.NORMAL) continue;
      String[] kv = new String(e.data(), StandardCharsets.UTF_8).split("\u0000", 2);
      out.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(kv[1]);
    }
    return out;
  }

  private void dumpLog() {
    int from = verbose ? 0 : Math.max(0, log.size() - 400);
    StringBuilder s = new StringBuilder("--- " + params.describe() + ": last " + (log.size() - from) + " events ---\n");
    for (String line : log.subList(from, log.size())) s.append(line).append('\n');
    System.out.print(s);
  }

  // ------------------------------------------------------------------ for the parts

  Simulation trace(String node, long fromNanos, long toNanos) {
    traceNode = node;
    traceFromNanos = fromNanos;
    traceToNanos = toNanos;
    return this;
  }

  void trace(String node, Supplier<String> what) {
    if (traceNode == null || loop.now() < traceFromNanos || loop.now() > traceToNanos) return;
    if (traceNode.equals("*") || traceNode.equals(node)) log.add(Op.fmt(loop.now()) + " " + node + " " + what.get());
  }

  void onApplied(SimNode n, Entry e) {
    invariants.observeApplied(n.id, e);
  }

  void recordLeader(String id, long term) {
    leaders.put(term, id);
    log.add(Op.fmt(loop.now()) + " " + id + " became leader of term " + term);
  }

  void recordFault(String what) {
    faults++;
    log.add(Op.fmt(loop.now()) + " nemesis: " + what);
  }

  void scheduleRestart(SimNode n) {
    loop.after(20_000_000L + random.nextInt(480_000_000), () -> {
      if (n.isUp()) return;
      n.start();
      log.add(Op.fmt(loop.now()) + " restart " + n.id);
    });
  }

  /** The live leader with the highest term, if any. */
  String currentLeaderId() {
    String best = null;
    long bestTerm = -1;
    for (SimNode n : nodes.values()) {
      if (n.isUp() && n.role() == Role.LEADER && n.core().term() > bestTerm) {
        best = n.id;
        bestTerm = n.core().term();
      }
    }
    return best;
  }

  String randomNodeId() {
    return ids.get(random.nextInt(ids.size()));
  }

  long now() {
    return loop.now();
  }

  EventLoop loop() {
    return loop;
  }

  SimNetwork network() {
    return network;
  }

  SimClients clients() {
    return clients;
  }

  RaftInvariants invariants() {
    return invariants;
  }

  SimNode node(String id) {
    return nodes.get(id);
  }

  Collection<SimNode> nodes() {
    return nodes.values();
  }

  List<String> nodeIds() {
    return ids;
  }
}
