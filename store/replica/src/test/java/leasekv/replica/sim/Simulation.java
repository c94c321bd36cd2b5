package leasekv.replica.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import leasekv.checker.CheckOptions;
import leasekv.checker.CheckResult;
import leasekv.checker.Checker;
import leasekv.checker.IndependentKeys;
import leasekv.checker.Op;
import leasekv.checker.OpType;
import leasekv.checker.edn.EdnWriter;
import leasekv.fsm.Digest;
import leasekv.raft.ConfChange;
import leasekv.raft.Entry;
import leasekv.raft.LogStorage;
import leasekv.raft.RaftConfig;
import leasekv.raft.Role;
import leasekv.raft.testing.MemoryLogStorage;
import leasekv.raft.testing.RaftInvariants;
import leasekv.replica.ReplicaConfig;

/**
 * A deterministic simulation of a leasekv cluster that runs the REAL replica ({@code
 * leasekv.replica.Replica}, the class {@code bin/store} runs) on simulated time, network and disks:
 * N {@link SimNode}s, a faulty {@link SimNetwork}, drifting clocks, {@link SimClients} and a {@link
 * Nemesis}, all driven by one seeded random source and one {@link EventLoop}, so a seed replays the
 * same history byte for byte. After the faulty phase everything heals and settles; then the run is
 * checked:
 * <ul>
 *   <li>Raft's safety properties throughout (election safety, leader completeness, agreement of
 *       committed entries) and log matching at the end;
 *   <li>the client history, by the project's linearizability checker (cas-register per key);
 *   <li>the lists: every acknowledged append present exactly once, nothing never attempted;
 *   <li>every voter converges to one state machine (digest) at the leader's commit index;
 *   <li>no replica failed or refused to start.
 * </ul>
 */
final class Simulation {
  static final long TICK_NANOS = 5_000_000L;
  static final int ELECTION_TIMEOUT_TICKS = 20; // 100 ms
  static final int HEARTBEAT_TICKS = 4; // 20 ms
  static final double CLOCK_DRIFT_BOUND = 0.1;
  static final long SETTLE_NANOS = 4_000_000_000L;
  private static final int EVENT_LOG_TAIL = 400;

  private final SimParams params;
  private final Random random;
  private final EventLoop loop = new EventLoop();
  private final Map<String, SimNode> nodes = new TreeMap<>();
  private final List<String> ids = new ArrayList<>();
  private final SimNetwork network;
  private final SimClients clients;
  private final Nemesis nemesis;
  private final RaftInvariants invariants = new RaftInvariants();
  private final List<String> violations = new ArrayList<>();
  private final List<String> eventLog = new ArrayList<>();
  private final Set<Long> leaderTerms = new TreeSet<>();
  private final boolean verbose;
  private int faults;
  private long checkNanos;

  static {
    // The replica logs through java.util.logging; thousands of runs would drown the test output in
    // role changes. Warnings still show; the event log holds what a failing run needs.
    java.util.logging.Logger.getLogger("leasekv").setLevel(java.util.logging.Level.WARNING);
  }

  Simulation(SimParams params, boolean verbose) {
    this.params = params;
    this.verbose = verbose;
    this.random = new Random(params.seed());
    for (int i = 1; i <= params.nodes(); i++) ids.add("n" + i);
    this.network = new SimNetwork(this, new Random(random.nextLong()));
    long snapshotInterval = 16 + random.nextInt(64);
    long retain = random.nextInt(8);
    for (String id : ids) {
      RaftConfig raft = RaftConfig.builder(id).tickNanos(TICK_NANOS).electionTimeoutTicks(ELECTION_TIMEOUT_TICKS)
          .heartbeatIntervalTicks(HEARTBEAT_TICKS).clockDriftBound(CLOCK_DRIFT_BOUND).maxInflightAppends(8)
          .maxBatchBytes(16 * 1024).initialVoters(ids).unsafeModes(params.unsafe().coreModes()).build();
      ReplicaConfig config = new ReplicaConfig(raft, params.readPolicy(), 1_000_000_000L, snapshotInterval, retain,
          params.unsafe());
      double rate = 1 - CLOCK_DRIFT_BOUND + 2 * CLOCK_DRIFT_BOUND * random.nextDouble();
      SimClock clock = new SimClock(loop::now, random.nextLong() >>> 8, rate);
      nodes.put(id, new SimNode(this, config, clock, new Random(random.nextLong())));
    }
    this.clients = new SimClients(this, new Random(random.nextLong()), 2, 3);
    this.nemesis = new Nemesis(this, new Random(random.nextLong()), CLOCK_DRIFT_BOUND);
  }

  static SimResult run(SimParams params) {
    return new Simulation(params, false).execute();
  }

  SimResult execute() {
    long start = System.nanoTime();
    for (SimNode n : nodes.values()) n.start();
    clients.start();
    nemesis.start();
    loop.runUntil(params.durationNanos());
    nemesis.stop();
    clients.stop();
    healEverything();
    settle();
    Map<String, List<String>> finalLists = readListsAtTheLeader();
    long runNanos = System.nanoTime() - start;
    SimResult r = check(finalLists);
    if (Boolean.getBoolean("sim.timing")) {
      System.out.printf("seed %d: run %.2f s, check %.2f s, %d ops%n", params.seed(), runNanos / 1e9, checkNanos / 1e9,
          clients.history().size());
    }
    return r;
  }

  private void healEverything() {
    network.healAll();
    for (SimNode n : nodes.values()) {
      n.start();
      n.resume();
    }
    record("final heal");
  }

  /** Lets the group recover with no faults, adding removed members back one at a time. */
  private void settle() {
    long end = loop.now() + SETTLE_NANOS;
    while (loop.now() < end) {
      String leader = currentLeaderId();
      if (leader != null) {
        SimNode l = node(leader);
        List<String> voters = l.replica().status().voters();
        ids.stream().filter(id -> !voters.contains(id)).findFirst()
            .ifPresent(missing -> l.onReplicaThread(() -> l.replica().proposeConfChange(ConfChange.addVoter(missing))));
      }
      loop.runUntil(loop.now() + 200_000_000L);
    }
  }

  /** Each list, read once through the leader's read path after healing (as the crash workload does). */
  private Map<String, List<String>> readListsAtTheLeader() {
    Map<String, List<String>> out = new TreeMap<>();
    for (String key : List.of("l0", "l1")) {
      for (int attempt = 0; attempt < 20 && !out.containsKey(key); attempt++) {
        String leader = currentLeaderId();
        if (leader != null) {
          SimNode l = node(leader);
          CompletableFuture<List<String>> read = new CompletableFuture<>();
          l.onClientThread(() -> l.replica().reads().read(view -> view.lrange(key.getBytes(StandardCharsets.UTF_8), 0, -1))
              .whenComplete((r, e) -> {
                if (e != null) {
                  read.completeExceptionally(e);
                  return;
                }
                List<String> values = new ArrayList<>();
                for (byte[] b : r.value()) values.add(new String(b, StandardCharsets.UTF_8));
                read.complete(values);
              }));
          loop.runUntil(loop.now() + 100_000_000L);
          if (read.isDone() && !read.isCompletedExceptionally()) out.put(key, read.join());
        } else {
          loop.runUntil(loop.now() + 100_000_000L);
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ checks

  private SimResult check(Map<String, List<String>> finalLists) {
    Map<String, LogStorage> logs = new TreeMap<>();
    for (SimNode n : nodes.values()) logs.put(n.id, n.disk.liveLog());
    invariants.checkLogMatching(logs);
    violations.addAll(invariants.violations());
    checkConvergence();
    checkHistory();
    checkLists(finalLists);
    if (verbose || !violations.isEmpty()) {
      dumpEventLog();
      writeHistory();
    }
    List<Op> history = clients.history();
    return new SimResult(params, List.copyOf(violations), count(history, "write", OpType.OK) + count(history, "cas", OpType.OK),
        count(history, "read", OpType.OK), clients.leaseReads, countType(history, OpType.INFO), clients.retries,
        leaderTerms.size(), faults, loop.executedEvents(), network.sent, allOps(), loop.now(), List.copyOf(eventLog));
  }

  private void checkHistory() {
    long start = System.nanoTime();
    CheckOptions options = CheckOptions.builder().model("cas-register").initialValue(null)
        .independentKeys(IndependentKeys.YES).timeLimitMillis(60_000).parallelism(1).build();
    CheckResult result = new Checker(options).check(clients.history());
    if (!result.isValid()) {
      violations.add("history " + result.validity().word() + ": " + result.explanation());
    }
    checkNanos = System.nanoTime() - start;
  }

  /** Every acknowledged append is in the final list exactly once; nothing appears that was never attempted. */
  private void checkLists(Map<String, List<String>> finalLists) {
    Map<String, Set<String>> attempted = new TreeMap<>();
    Map<String, Set<String>> acked = new TreeMap<>();
    for (Op op : clients.listOps()) {
      List<?> kv = (List<?>) op.value();
      String key = (String) kv.get(0);
      String element = (String) kv.get(1);
      if (op.type() == OpType.INVOKE) attempted.computeIfAbsent(key, k -> new TreeSet<>()).add(element);
      if (op.type() == OpType.OK) acked.computeIfAbsent(key, k -> new TreeSet<>()).add(element);
    }
    for (String key : attempted.keySet()) {
      List<String> list = finalLists.get(key);
      if (list == null) {
        violations.add("list " + key + ": no final read succeeded");
        continue;
      }
      Map<String, Integer> seen = new TreeMap<>();
      for (String e : list) seen.merge(e, 1, Integer::sum);
      seen.forEach((e, times) -> {
        if (times > 1) violations.add("list " + key + ": " + e + " applied " + times + " times");
        if (!attempted.get(key).contains(e)) violations.add("list " + key + ": " + e + " was never appended");
      });
      for (String e : acked.getOrDefault(key, Set.of())) {
        if (!seen.containsKey(e)) violations.add("list " + key + ": acknowledged append " + e + " is lost");
      }
    }
  }

  /** After settling, every voter has applied the leader's commit index and holds the same state. */
  private void checkConvergence() {
    String leader = currentLeaderId();
    if (leader == null) {
      violations.add("no leader after " + SETTLE_NANOS / 1_000_000 + " ms without faults: " + nodes.values());
      return;
    }
    var status = node(leader).replica().status();
    Map<String, CompletableFuture<Digest>> digests = new LinkedHashMap<>();
    for (String voter : status.voters()) {
      SimNode n = node(voter);
      if (!n.isUp()) {
        violations.add("did not converge: " + voter + " is down after the final heal");
        continue;
      }
      digests.put(voter, n.replica().digest());
    }
    loop.runUntil(loop.now() + 200_000_000L);
    Map<String, String> byNode = new TreeMap<>();
    digests.forEach((voter, f) -> {
      Digest d = f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
      if (d == null) {
        violations.add("did not converge: " + voter + " gave no digest");
      } else if (d.appliedIndex() != status.commitIndex()) {
        violations.add("did not converge: " + node(voter) + " applied " + d.appliedIndex() + ", leader committed "
            + status.commitIndex());
      } else {
        byNode.put(voter, d.hex());
      }
    });
    if (byNode.values().stream().distinct().count() > 1) violations.add("replicas diverged: " + byNode);
  }

  private static long count(List<Op> history, String f, OpType type) {
    return history.stream().filter(o -> o.type() == type && o.f().equals(f)).count();
  }

  private static long countType(List<Op> history, OpType type) {
    return history.stream().filter(o -> o.type() == type).count();
  }

  private List<Op> allOps() {
    List<Op> all = new ArrayList<>(clients.history());
    all.addAll(clients.listOps());
    return all;
  }

  /** Writes the history where bin/checker and the viewer can read it: one Jepsen op per line. */
  private void writeHistory() {
    java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("sim.outDir", "target/simulation"));
    String name = "seed-" + params.seed() + "-n" + params.nodes() + "-" + params.syncMode().name().toLowerCase() + "-"
        + params.readPolicy().name().toLowerCase() + (params.unsafe().any() ? "-" + params.unsafe().names() : "");
    try {
      java.nio.file.Files.createDirectories(dir);
      StringBuilder edn = new StringBuilder();
      for (Op op : clients.history()) edn.append(EdnWriter.write(op.toEdnData())).append('\n');
      java.nio.file.Files.writeString(dir.resolve(name + ".history.edn"), edn);
      StringBuilder lists = new StringBuilder();
      for (Op op : clients.listOps()) lists.append(EdnWriter.write(op.toEdnData())).append('\n');
      java.nio.file.Files.writeString(dir.resolve(name + ".lists.edn"), lists);
      java.nio.file.Files.write(dir.resolve(name + ".events.txt"), eventLog);
      System.out.println("history: " + dir.resolve(name + ".history.edn").toAbsolutePath());
    } catch (java.io.IOException e) {
      System.out.println("could not write the history: " + e);
    }
  }

  private void dumpEventLog() {
    int from = verbose ? 0 : Math.max(0, eventLog.size() - EVENT_LOG_TAIL);
    StringBuilder s = new StringBuilder("--- " + params.describe() + ": last " + (eventLog.size() - from) + " events ---\n");
    for (String line : eventLog.subList(from, eventLog.size())) s.append(line).append('\n');
    System.out.print(s);
  }

  // ------------------------------------------------------------------ for the parts

  void observeLeader(String id, long term, MemoryLogStorage log) {
    if (leaderTerms.add(term)) record(id + " became leader of term " + term);
    invariants.observeLeader(id, term, log);
  }

  void observeCommitted(String id, List<Entry> entries) {
    for (Entry e : entries) invariants.observeApplied(id, e);
  }

  void violation(String what) {
    violations.add(what);
    record("VIOLATION " + what);
  }

  void record(String what) {
    if (what.startsWith("partition") || what.startsWith("isolate") || what.startsWith("crash") || what.startsWith("power")
        || what.startsWith("pause") || what.startsWith("clock") || what.startsWith("stall") || what.startsWith("cut")
        || what.startsWith("one-way") || what.startsWith("slow") || what.startsWith("transfer")
        || what.startsWith("propose")) {
      faults++;
    }
    eventLog.add(String.format("%10.3f ms  %s", loop.now() / 1e6, what));
  }

  void scheduleRestart(SimNode n) {
    loop.after(20_000_000L + random.nextInt(480_000_000), () -> {
      if (n.isUp()) return;
      n.start();
      record("restart " + n.id);
    });
  }

  /** The live, running leader with the highest term, if any. */
  String currentLeaderId() {
    String best = null;
    long bestTerm = -1;
    for (SimNode n : nodes.values()) {
      if (n.isUp() && !n.isPaused() && n.role() == Role.LEADER && n.replica().status().term() > bestTerm) {
        best = n.id;
        bestTerm = n.replica().status().term();
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

  SimParams params() {
    return params;
  }

  EventLoop loop() {
    return loop;
  }

  SimNetwork network() {
    return network;
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
