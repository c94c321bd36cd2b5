package leasekv.raft.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Clients that each run one operation at a time: writes of unique values and reads, on a few keys.
 * As in Jepsen, most clients are bound to one node (two per node: a reader and a writer) and keep
 * using it whatever it answers, so an isolated old leader keeps receiving reads and a new leader
 * receives writes at once; the roaming clients mix both, follow NOTLEADER redirects and pick a random
 * node after a timeout. A request that gets no answer within the timeout ends
 * indeterminate (for a write: it may or may not have happened).
 */
final class SimClients {
  static final long TIMEOUT_NANOS = 300_000_000L;

  private final class Client {
    final int id;
    /** The share of reads among this client's operations. */
    final double readRatio;
    final boolean pinned;
    String target;
    Op current;
    long written;

    Client(int id, String target, double readRatio, boolean pinned) {
      this.id = id;
      this.target = target;
      this.readRatio = readRatio;
      this.pinned = pinned;
    }

    void retarget(String hint) {
      if (!pinned) target = hint != null ? hint : sim.randomNodeId();
    }
  }

  private final Simulation sim;
  private final Random random;
  private final History history;
  private final List<Client> clients = new ArrayList<>();
  private final int keys;
  private boolean running;

  SimClients(Simulation sim, Random random, History history, int roaming, int keys) {
    this.sim = sim;
    this.random = random;
    this.history = history;
    this.keys = keys;
    for (String node : sim.nodeIds()) {
      clients.add(new Client(clients.size() + 1, node, 1.0, true));
      clients.add(new Client(clients.size() + 1, node, 0.0, true));
    }
    for (int i = 0; i < roaming; i++) clients.add(new Client(clients.size() + 1, sim.randomNodeId(), 0.5, false));
  }

  void start() {
    running = true;
    for (Client c : clients) issueAfter(c, random.nextInt(5_000_000));
  }

  void stop() {
    running = false;
  }

  private void issueAfter(Client c, long delayNanos) {
    if (running) sim.loop().after(delayNanos, () -> issue(c));
  }

  private void issue(Client c) {
    if (!running) return;
    String key = "k" + random.nextInt(keys);
    boolean write = random.nextDouble() >= c.readRatio;
    Op op = history.invoke(c.id, write ? Op.Kind.WRITE : Op.Kind.READ, key, write ? "c" + c.id + "." + (++c.written) : null, sim.now());
    c.current = op;
    SimNode node = sim.node(c.target);
    sim.loop().after(hopNanos(), () -> {
      if (write) node.clientWrite(op); else node.clientRead(op);
    });
    sim.loop().after(TIMEOUT_NANOS, () -> {
      if (c.current != op) return;
      complete(c, op, Op.Outcome.INFO);
      c.retarget(null);
      issueAfter(c, 1_000_000L);
    });
  }

  void replyWritten(Op op, String servedBy) {
    sim.loop().after(hopNanos(), () -> {
      Client c = clients.get(op.client - 1);
      if (c.current != op) return;
      op.servedBy = servedBy;
      complete(c, op, Op.Outcome.OK);
      issueAfter(c, thinkNanos());
    });
  }

  void replyRead(Op op, String value, String servedBy, String mode, long term) {
    sim.loop().after(hopNanos(), () -> {
      Client c = clients.get(op.client - 1);
      if (c.current != op) return;
      op.readValue = value;
      op.servedBy = servedBy;
      op.readMode = mode;
      op.servedInTerm = term;
      complete(c, op, Op.Outcome.OK);
      issueAfter(c, thinkNanos());
    });
  }

  /** A definite failure (NOTLEADER or similar); {@code leaderHint} redirects the client. */
  void replyFail(Op op, String leaderHint) {
    sim.loop().after(hopNanos(), () -> {
      Client c = clients.get(op.client - 1);
      if (c.current != op) return;
      complete(c, op, Op.Outcome.FAIL);
      c.retarget(leaderHint);
      issueAfter(c, (c.pinned ? 5_000_000L : 1_000_000L) + thinkNanos());
    });
  }

  private void complete(Client c, Op op, Op.Outcome outcome) {
    op.outcome = outcome;
    op.completeNanos = sim.now();
    c.current = null;
  }

  private long hopNanos() {
    return 50_000L + random.nextInt(500_000);
  }

  private long thinkNanos() {
    return random.nextInt(2_000_000);
  }
}
