package leasekv.raft.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.LeaseState;
import leasekv.raft.Message;
import leasekv.raft.RaftConfig;
import leasekv.raft.RaftCore;
import leasekv.raft.ReadState;
import leasekv.raft.Ready;
import leasekv.raft.Role;

/**
 * One core plus the node-side driver loop a test needs: it persists each Ready into a {@link
 * MemoryLogStorage}, hands back the messages, applies committed entries to a trivial state machine
 * (the list of applied entries) and records read results. It follows the same order as the real node.
 */
public final class TestNode {
  private final RaftConfig config;
  private final MemoryLogStorage storage;
  private final ManualClock clock;
  private final long seed;
  private int incarnation;
  private RaftCore core;
  private final List<Entry> applied = new ArrayList<>();
  private final Map<Long, Long> readIndexes = new LinkedHashMap<>();
  private final List<Long> abortedReads = new ArrayList<>();
  private List<Entry> incomingCheckpoint;
  private LeaseState published;
  private int fsyncs;

  public TestNode(RaftConfig config, MemoryLogStorage storage, ManualClock clock, long seed) {
    this.config = config;
    this.storage = storage;
    this.clock = clock;
    this.seed = seed;
    start();
  }

  private void start() {
    RaftConfig withApplied = config.toBuilder().appliedIndex(applied.size()).build();
    core = new RaftCore(withApplied, storage, clock, new Random(seed * 31 + incarnation));
    published = core.leaseState();
  }

  /** Crash and restart: the storage (all of it durable here) and the state machine survive. */
  public void restart() {
    incarnation++;
    incomingCheckpoint = null;
    start();
  }

  /** Runs the driver loop until the core has no more work; returns the messages to send. */
  public List<Message> drain() {
    List<Message> out = new ArrayList<>();
    while (core.hasReady()) out.addAll(handle(core.ready()));
    return out;
  }

  /**
   * One iteration of the node's loop for a Ready the caller took from {@code core().ready()}:
   * publish the lease state, persist, (return the messages to send), apply, advance.
   */
  public List<Message> handle(Ready r) {
    published = r.leaseState(); // before any message leaves
    if (r.snapshot() != null) installSnapshot(r);
    storage.append(r.entries());
    if (r.hardState() != null) storage.setHardState(r.hardState());
    if (r.mustSync()) fsyncs++;
    for (Entry e : r.committedEntries()) apply(e);
    for (ReadState rs : r.readStates()) readIndexes.put(rs.requestId(), rs.readIndex());
    abortedReads.addAll(r.abortedReadRequests());
    core.advance(r);
    published = core.leaseState();
    return r.messages();
  }

  private void installSnapshot(Ready r) {
    if (incomingCheckpoint == null || incomingCheckpoint.size() != r.snapshot().index()) {
      throw new IllegalStateException(id() + ": snapshot " + r.snapshot() + " to install but no matching checkpoint arrived");
    }
    storage.installSnapshot(r.snapshot());
    applied.clear();
    applied.addAll(incomingCheckpoint);
    incomingCheckpoint = null;
  }

  private void apply(Entry e) {
    if (e.index() != applied.size() + 1) {
      throw new IllegalStateException(id() + " applied " + e + " after index " + applied.size());
    }
    applied.add(e);
  }

  /** The node streamed a checkpoint to us ahead of an INSTALL_SNAPSHOT message. */
  void receiveCheckpoint(List<Entry> checkpoint) {
    incomingCheckpoint = List.copyOf(checkpoint);
  }

  /** This node's state machine as of {@code index} (what it would stream as a checkpoint). */
  List<Entry> checkpointAt(long index) {
    return List.copyOf(applied.subList(0, (int) index));
  }

  public void tick() {
    clock.advance(config.tickNanos());
    core.tick();
  }

  /** Compacts the log up to {@code index} (at most what is applied, which here is durable). */
  public void compact(long index) {
    storage.compact(index);
    core.onLogCompacted(index);
  }

  /** The lease check a reader thread would do now: published state, clock, applied index. */
  public boolean canServeLeaseRead() {
    return published.canServeLeaseRead(clock.nanoTime()) && appliedIndex() >= published.commitIndex();
  }

  public String id() { return config.id(); }
  public RaftCore core() { return core; }
  public MemoryLogStorage storage() { return storage; }
  public ManualClock clock() { return clock; }
  public LeaseState publishedLease() { return published; }
  public Role role() { return core.role(); }
  public long term() { return core.term(); }
  public boolean isLeader() { return core.role() == Role.LEADER; }
  public long appliedIndex() { return applied.size(); }
  public List<Entry> applied() { return List.copyOf(applied); }
  public int fsyncs() { return fsyncs; }
  /** The read index released for a ReadIndex request, or null if not (yet) released. */
  public Long readIndexResult(long requestId) { return readIndexes.get(requestId); }
  public List<Long> abortedReads() { return List.copyOf(abortedReads); }

  /** The data of the NORMAL entries applied so far, as strings, in order. */
  public List<String> appliedData() {
    List<String> out = new ArrayList<>();
    for (Entry e : applied) {
      if (e.type() == EntryType.NORMAL) out.add(new String(e.data(), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public String toString() {
    return id() + "[" + core.role() + " t" + core.term() + " commit=" + core.status().commitIndex() + " applied=" + applied.size() + "]";
  }
}
