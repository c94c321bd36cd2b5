package leasekv.raft.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import leasekv.raft.EntryId;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.raft.RaftConfig;
import leasekv.raft.RaftCore;
import leasekv.raft.Role;

/**
 * An in-memory Raft group for scripted tests: real cores, each with a {@link TestNode} driver and a
 * {@link ManualClock}, connected by a synchronous FIFO network behind a {@link Firewall}. Nothing
 * happens unless the test ticks or delivers, so scenarios read like prose:
 *
 * <pre>{@code
 * RaftGroup g = RaftGroup.of("n1", "n2", "n3");
 * g.electLeader("n1");
 * g.propose("n1", "x=1");
 * g.isolate("n1");
 * g.tickAll(30);
 * }</pre>
 *
 * Every step also feeds {@link RaftInvariants}; {@link #assertSafe()} checks them.
 */
public final class RaftGroup {
  public static final long TICK_NANOS = 10_000_000L;

  private final Map<String, TestNode> nodes = new TreeMap<>();
  private final Set<String> down = new HashSet<>();
  private final ArrayDeque<Message> network = new ArrayDeque<>();
  private final Firewall firewall = new Firewall();
  private final List<Message> held = new ArrayList<>();
  private Predicate<Message> holdFilter = m -> false;
  private final List<Message> sent = new ArrayList<>();
  private final UnaryOperator<RaftConfig.Builder> customize;
  private final RaftInvariants invariants = new RaftInvariants();
  private final Map<String, Long> leaderTermsSeen = new TreeMap<>();
  private int droppedMessages;

  private RaftGroup(UnaryOperator<RaftConfig.Builder> customize, String... ids) {
    this.customize = customize;
    long seed = 1;
    for (String id : ids) {
      RaftConfig config = customize.apply(testConfig(id).initialVoters(List.of(ids))).build();
      nodes.put(id, new TestNode(config, new MemoryLogStorage(), new ManualClock(1_000_000_000L * seed), seed));
      seed++;
    }
  }

  /** Test defaults: 10 ms ticks, election timeout 10 ticks, heartbeat every 2 ticks, rho 0.1. */
  public static RaftConfig.Builder testConfig(String id) {
    return RaftConfig.builder(id).tickNanos(TICK_NANOS).electionTimeoutTicks(10).heartbeatIntervalTicks(2)
        .clockDriftBound(0.1).maxInflightAppends(4).maxBatchBytes(64 * 1024);
  }

  /** A booted group (see {@link #boot()}) with the test defaults. */
  public static RaftGroup of(String... ids) {
    return of(b -> b, ids);
  }

  public static RaftGroup of(UnaryOperator<RaftConfig.Builder> customize, String... ids) {
    RaftGroup g = new RaftGroup(customize, ids);
    g.boot();
    return g;
  }

  /** A group as it starts for the very first time, before any tick (no {@link #boot()}). */
  public static RaftGroup unbooted(String... ids) {
    return new RaftGroup(b -> b, ids);
  }

  /**
   * Lets one election timeout pass with the network off, so that a test's scripted first election
   * ({@link #electLeader}) is not raced by the nodes' own first campaigns, which a new cluster's
   * nodes start within one election timeout.
   */
  public void boot() {
    silence();
  }

  /**
   * Lets one election timeout and a tick pass with the network silent, so every vote-refusal window
   * (lease rules L5 and L6: E + 1 counted ticks) has ended; nodes may start pre-vote campaigns
   * meanwhile, which go nowhere.
   */
  public void silence() {
    firewall.dropEverything(true);
    int ticks = nodes.values().iterator().next().core().config().electionTimeoutTicks() + 1;
    for (int i = 0; i < ticks; i++) {
      for (String id : nodes.keySet()) {
        if (!down.contains(id)) nodes.get(id).tick();
      }
      deliverAll();
    }
    firewall.dropEverything(false);
  }

  // ---------------------------------------------------------------- time and delivery

  /** Ticks every live node {@code n} times, delivering all messages after each round of ticks. */
  public void tickAll(int n) {
    for (int i = 0; i < n; i++) {
      for (String id : nodes.keySet()) {
        if (!down.contains(id)) nodes.get(id).tick();
      }
      deliverAll();
    }
  }

  /** Ticks one node {@code n} times, delivering after each tick. */
  public void tick(String id, int n) {
    for (int i = 0; i < n; i++) {
      node(id).tick();
      deliverAll();
    }
  }

  /** Runs every live node's driver loop and delivers messages until the group is quiet. */
  public void deliverAll() {
    for (int guard = 0; guard < 1_000_000; guard++) {
      drainNodes();
      Message m = network.poll();
      if (m == null) return;
      deliver(m);
    }
    throw new IllegalStateException("the group did not quiesce");
  }

  private void drainNodes() {
    for (TestNode n : nodes.values()) {
      if (down.contains(n.id())) continue;
      int appliedBefore = (int) n.appliedIndex();
      for (Message m : n.drain()) send(m);
      observe(n, appliedBefore);
    }
  }

  private void observe(TestNode n, int appliedBefore) {
    var applied = n.applied();
    for (int i = appliedBefore; i < applied.size(); i++) invariants.observeApplied(n.id(), applied.get(i));
    if (n.isLeader() && !Long.valueOf(n.term()).equals(leaderTermsSeen.get(n.id()))) {
      leaderTermsSeen.put(n.id(), n.term());
      invariants.observeLeader(n.id(), n.term(), n.storage());
    }
  }

  /** Sends messages a test took out of a {@link leasekv.raft.Ready} itself. */
  public void send(List<Message> messages) {
    for (Message m : messages) send(m);
    deliverAll();
  }

  private void send(Message m) {
    sent.add(m);
    if (!firewall.allows(m.from(), m.to()) || down.contains(m.to()) || !nodes.containsKey(m.to())) {
      droppedMessages++;
      if (m.type() == MessageType.INSTALL_SNAPSHOT && !down.contains(m.from())) {
        nodes.get(m.from()).core().reportSnapshot(m.to(), false);
      }
      return;
    }
    if (holdFilter.test(m)) {
      held.add(m);
      return;
    }
    network.add(m);
  }

  private void deliver(Message m) {
    TestNode to = nodes.get(m.to());
    if (m.type() == MessageType.INSTALL_SNAPSHOT) {
      TestNode from = nodes.get(m.from());
      to.receiveCheckpoint(from.checkpointAt(m.snapshot().index()));
      if (!down.contains(m.from())) from.core().reportSnapshot(m.to(), true);
    }
    to.core().step(m);
  }

  // ---------------------------------------------------------------- faults

  @SafeVarargs
  public final void splitMembers(Collection<String>... sides) {
    firewall.splitMembers(sides);
  }

  public void dropMessagesTo(String id) {
    firewall.dropMessagesTo(id);
  }

  public void dropMessagesFrom(String id) {
    firewall.dropMessagesFrom(id);
  }

  public void isolate(String id) {
    firewall.isolate(id);
  }

  public void heal() {
    firewall.heal();
  }

  /** From now on, messages matching {@code filter} are held back (not lost) until {@link #releaseHeld()}. */
  public void holdMessages(Predicate<Message> filter) {
    holdFilter = filter;
  }

  /** Stops holding and delivers the held messages (late, after everything else that happened). */
  public void releaseHeld() {
    holdFilter = m -> false;
    network.addAll(held);
    held.clear();
    deliverAll();
  }

  /** Delivers (late) only the held messages matching {@code which}; the rest stay held, and holding goes on. */
  public void releaseHeld(Predicate<Message> which) {
    List<Message> release = held.stream().filter(which).toList();
    held.removeAll(release);
    network.addAll(release);
    deliverAll();
  }

  /** Discards the held messages: they were lost. */
  public void dropHeld() {
    holdFilter = m -> false;
    held.clear();
  }

  public List<Message> heldMessages() {
    return List.copyOf(held);
  }

  public void crash(String id) {
    down.add(id);
    network.removeIf(m -> m.to().equals(id));
  }

  /** Restarts a crashed node over its storage and state machine. */
  public void restart(String id) {
    down.remove(id);
    node(id).restart();
    leaderTermsSeen.remove(id);
  }

  /** Adds a brand-new, empty node that is not (yet) a member; a leader adds it with a conf change. */
  public TestNode addNode(String id) {
    RaftConfig config = customize.apply(testConfig(id)).build();
    TestNode n = new TestNode(config, new MemoryLogStorage(), new ManualClock(7_000_000_000L), nodes.size() + 1);
    nodes.put(id, n);
    return n;
  }

  // ---------------------------------------------------------------- conveniences

  /** Makes {@code id} campaign and delivers until quiet; fails unless it became leader. */
  public TestNode electLeader(String id) {
    node(id).core().campaign();
    deliverAll();
    if (!node(id).isLeader()) throw new AssertionError(id + " did not win the election: " + this);
    return node(id);
  }

  public EntryId propose(String id, String data) {
    EntryId at = node(id).core().propose(data.getBytes(StandardCharsets.UTF_8));
    deliverAll();
    return at;
  }

  /** The live leader with the highest term, or null. */
  public TestNode leader() {
    TestNode best = null;
    for (TestNode n : nodes.values()) {
      if (!down.contains(n.id()) && n.isLeader() && (best == null || n.term() > best.term())) best = n;
    }
    return best;
  }

  public List<TestNode> leaders() {
    List<TestNode> out = new ArrayList<>();
    for (TestNode n : nodes.values()) {
      if (!down.contains(n.id()) && n.role() == Role.LEADER) out.add(n);
    }
    return out;
  }

  public TestNode node(String id) {
    TestNode n = nodes.get(id);
    if (n == null) throw new IllegalArgumentException("no node " + id + " in " + nodes.keySet());
    return n;
  }

  public RaftCore core(String id) {
    return node(id).core();
  }

  public Collection<TestNode> nodes() {
    return nodes.values();
  }

  /** Every message any node sent so far (including dropped and held ones), in order. */
  public List<Message> sentMessages() {
    return List.copyOf(sent);
  }

  public void clearSentMessages() {
    sent.clear();
  }

  public int droppedMessages() {
    return droppedMessages;
  }

  public RaftInvariants invariants() {
    return invariants;
  }

  /** Checks all four Raft safety properties over everything that happened so far. */
  public void assertSafe() {
    Map<String, MemoryLogStorage> logs = new TreeMap<>();
    for (TestNode n : nodes.values()) logs.put(n.id(), n.storage());
    invariants.checkLogMatching(logs);
    invariants.assertNone();
  }

  @Override
  public String toString() {
    return nodes.values().toString();
  }
}
