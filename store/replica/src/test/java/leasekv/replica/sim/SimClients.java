package leasekv.replica.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import leasekv.checker.Op;
import leasekv.checker.OpType;
import leasekv.fsm.ApplyResult;
import leasekv.fsm.Command;
import leasekv.fsm.CommandCodec;
import leasekv.replica.ReplicaException;
import leasekv.replica.ServedRead;

/**
 * Clients that each run one operation at a time, recorded as a Jepsen history ({@link Op}s with
 * independent {@code [key value]} values, checked as a cas-register per key by the project's
 * checker), plus appends to lists, checked by a final read.
 *
 * <p>As in Jepsen, most clients are bound to one node (two readers and a writer per node) and keep using
 * it whatever it answers, so an isolated old leader keeps receiving reads and a new leader receives
 * writes at once; the roaming clients mix reads, writes and CAS, follow NOTLEADER hints and move on
 * after a timeout. An operation that gets no definite answer in time ends {@code :info}, and the
 * client's process is retired for a fresh one.
 *
 * <p>Writes carry a de-duplication tag (client id, seq), and an attempt that times out is retried,
 * with the same tag, at another node: the first attempt may still commit later, so only the state
 * machine's de-duplication keeps the write single. Written values are unique, so a write applied
 * twice around another write shows as a non-linearizable read, and an element appended twice shows
 * in the final list.
 */
final class SimClients {
  static final long ATTEMPT_TIMEOUT_NANOS = 150_000_000L * Simulation.TIME_SCALE;
  static final long OP_TIMEOUT_NANOS = 500_000_000L * Simulation.TIME_SCALE;
  /**
   * A read unanswered this long (half an election timeout) is given up as {@code :fail}: a read
   * changes nothing, so it constrains no one, and the reader moves on instead of waiting out a new
   * leader's ReadIndex while its lease reads are the ones to watch.
   */
  static final long READ_TIMEOUT_NANOS = 50_000_000L * Simulation.TIME_SCALE;

  private final class Client {
    final int index;
    final String clientId;
    final double readRatio;
    final boolean pinned;
    long process;
    String target;
    Inflight current;
    long seq;
    long written;
    final Map<String, String> lastSeen = new TreeMap<>();

    Client(int index, String target, double readRatio, boolean pinned) {
      this.index = index;
      this.clientId = "c" + index;
      this.process = index;
      this.target = target;
      this.readRatio = readRatio;
      this.pinned = pinned;
    }
  }

  /** One operation in flight; attempts of a write share its tag. */
  private static final class Inflight {
    final Client client;
    final String f;
    final String key;
    final Object invokeValue;
    final Command command;
    int attempts;
    boolean done;
    /** An attempt got no definite answer: the write may have been applied (then the op can only end :ok or :info). */
    boolean mayHaveApplied;
    Map<String, Object> served = Map.of();

    Inflight(Client client, String f, String key, Object invokeValue, Command command) {
      this.client = client;
      this.f = f;
      this.key = key;
      this.invokeValue = invokeValue;
      this.command = command;
    }
  }

  private final Simulation sim;
  private final Random random;
  private final List<Client> clients = new ArrayList<>();
  private final List<Op> history = new ArrayList<>();
  private final List<Op> listOps = new ArrayList<>();
  private final int registerKeys;
  private long nextProcess;
  private boolean running;
  long retries;
  long leaseReads;

  SimClients(Simulation sim, Random random, int roaming, int registerKeys) {
    this.sim = sim;
    this.random = random;
    this.registerKeys = registerKeys;
    // Two readers per node: a read waiting out a ReadIndex (a new leader before its own-term commit)
    // would otherwise leave the node without reads exactly when it first holds a lease.
    for (String node : sim.nodeIds()) {
      clients.add(new Client(clients.size(), node, 1.0, true));
      clients.add(new Client(clients.size(), node, 1.0, true));
      clients.add(new Client(clients.size(), node, 0.0, true));
    }
    for (int i = 0; i < roaming; i++) clients.add(new Client(clients.size(), sim.randomNodeId(), 0.5, false));
    nextProcess = clients.size();
  }

  void start() {
    running = true;
    for (Client c : clients) issueAfter(c, random.nextInt(5_000_000));
  }

  void stop() {
    running = false;
  }

  List<Op> history() {
    return history;
  }

  List<Op> listOps() {
    return listOps;
  }

  private void issueAfter(Client c, long delayNanos) {
    if (running) sim.loop().after(delayNanos, () -> issue(c));
  }

  private void issue(Client c) {
    if (!running) return;
    boolean read = random.nextDouble() < c.readRatio;
    Inflight op = read ? readOp(c) : writeOp(c);
    c.current = op;
    record(c, OpType.INVOKE, op.f, op.invokeValue, op.f.equals("append"), Map.of());
    attempt(op);
    sim.loop().after(OP_TIMEOUT_NANOS, () -> {
      if (op.done) return;
      complete(op, OpType.INFO, op.invokeValue);
      retire(c);
      issueAfter(c, 1_000_000L);
    });
  }

  private Inflight readOp(Client c) {
    String key = "r" + random.nextInt(registerKeys);
    return new Inflight(c, "read", key, tuple(key, null), null);
  }

  private Inflight writeOp(Client c) {
    Command.ClientTag tag = new Command.ClientTag(c.clientId, ++c.seq);
    String value = c.clientId + "." + (++c.written);
    int roll = random.nextInt(10);
    if (roll < 2) {
      String key = "l" + random.nextInt(2);
      return new Inflight(c, "append", key, List.of(key, value),
          new Command.RPush(tag, bytes(key), List.of(bytes(value))));
    }
    String key = "r" + random.nextInt(registerKeys);
    String seen = c.lastSeen.get(key);
    if (roll < 5 && seen != null) {
      return new Inflight(c, "cas", key, List.of(key, List.of(seen, value)),
          new Command.Cas(tag, bytes(key), bytes(seen), bytes(value)));
    }
    return new Inflight(c, "write", key, List.of(key, value), new Command.Set(tag, bytes(key), bytes(value)));
  }

  /** Sends one attempt to the client's target node; a write attempt that gets no answer is retried elsewhere. */
  private void attempt(Inflight op) {
    op.attempts++;
    if (op.attempts > 1) retries++;
    SimNode node = sim.node(op.client.target);
    int attempt = op.attempts;
    sim.loop().after(hopNanos(), () -> {
      if (op.command == null) {
        node.onClientThread(() -> node.replica().reads().read(view -> view.get(bytes(op.key)))
            .whenComplete((r, e) -> {
              if (r != null && r.how() == ServedRead.How.LEASE) leaseReads++;
              if (r != null) op.served = Map.of("node", node.id, "term", r.term(), "read-mode",
                  r.how().name().toLowerCase().replace('_', '-'), "applied", r.appliedIndex());
              reply(op, attempt, e, r == null ? null : string(r.value()), node.id);
            }));
      } else {
        byte[] data = CommandCodec.encode(op.command);
        node.onReplicaThread(() -> node.replica().propose(data)
            .whenComplete((r, e) -> {
              if (e == null) op.served = Map.of("node", node.id, "attempt", (long) attempt);
              reply(op, attempt, e, r, node.id);
            }));
      }
    });
    if (op.command == null) {
      sim.loop().after(READ_TIMEOUT_NANOS, () -> {
        if (!op.done && op.attempts == attempt) fail(op, null);
      });
    } else {
      sim.loop().after(ATTEMPT_TIMEOUT_NANOS, () -> {
        if (op.done || op.attempts != attempt) return;
        op.mayHaveApplied = true;
        if (op.attempts >= 3) return;
        op.client.target = sim.randomNodeId();
        attempt(op); // same tag: the first attempt may still commit
      });
    }
  }

  private void reply(Inflight op, int attempt, Throwable error, Object result, String servedBy) {
    sim.loop().after(hopNanos(), () -> {
      if (op.done) return;
      Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (e == null) {
        succeed(op, result);
      } else if (e instanceof ReplicaException r && r.refusal().definite()) {
        if (attempt != op.attempts) return; // a later attempt is under way
        boolean redirect = !op.client.pinned && r.refusal() == ReplicaException.Refusal.NOT_LEADER && op.attempts < 3;
        if (redirect) {
          op.client.target = r.leaderId() != null ? r.leaderId() : sim.randomNodeId();
          attempt(op); // an earlier attempt may be in flight: the tag keeps it single
        } else if (op.mayHaveApplied) {
          // this attempt surely did nothing, but an earlier one may have: as the real client, :info
          complete(op, OpType.INFO, op.invokeValue);
          retire(op.client);
          issueAfter(op.client, 1_000_000L);
        } else {
          fail(op, r.leaderId());
        }
      } else if (e instanceof ReplicaException || e instanceof leasekv.fsm.WrongTypeException) {
        if (attempt == op.attempts && op.command == null) fail(op, null);
        if (op.command != null) op.mayHaveApplied = true; // left to the retry or the op timeout
      } else {
        sim.violation("client " + op.client.clientId + " got an unexpected error from " + servedBy + ": " + e);
      }
    });
  }

  private void succeed(Inflight op, Object result) {
    Client c = op.client;
    switch (op.f) {
      case "read" -> {
        String value = (String) result;
        if (value != null) c.lastSeen.put(op.key, value);
        complete(op, OpType.OK, tuple(op.key, value));
      }
      case "cas" -> {
        ApplyResult r = (ApplyResult) result;
        @SuppressWarnings("unchecked")
        List<String> pair = (List<String>) ((List<Object>) op.invokeValue).get(1);
        if (r.isError()) {
          complete(op, OpType.FAIL, op.invokeValue); // e.g. a stale retry the de-dup table refused
        } else if (r.asBoolean()) {
          c.lastSeen.put(op.key, pair.get(1));
          complete(op, OpType.OK, op.invokeValue);
        } else {
          c.lastSeen.remove(op.key);
          complete(op, OpType.FAIL, op.invokeValue);
        }
      }
      default -> {
        ApplyResult r = (ApplyResult) result;
        if (r.isError()) {
          complete(op, OpType.FAIL, op.invokeValue);
        } else {
          if (op.f.equals("write")) c.lastSeen.put(op.key, (String) ((List<?>) op.invokeValue).get(1));
          complete(op, OpType.OK, op.invokeValue);
        }
      }
    }
    issueAfter(c, thinkNanos());
  }

  private void fail(Inflight op, String leaderHint) {
    Client c = op.client;
    complete(op, OpType.FAIL, op.invokeValue);
    if (!c.pinned) c.target = leaderHint != null ? leaderHint : sim.randomNodeId();
    issueAfter(c, (c.pinned ? 5_000_000L : 1_000_000L) * Simulation.TIME_SCALE + thinkNanos());
  }

  private void complete(Inflight op, OpType type, Object value) {
    op.done = true;
    op.client.current = null;
    record(op.client, type, op.f, value, op.f.equals("append"), type == OpType.OK ? op.served : Map.of());
  }

  private void retire(Client c) {
    c.process = nextProcess++;
    if (!c.pinned) c.target = sim.randomNodeId();
  }

  private void record(Client c, OpType type, String f, Object value, boolean list, Map<String, Object> extras) {
    List<Op> ops = list ? listOps : history;
    ops.add(new Op(c.process, type, f, value, ops.size(), sim.now(), extras));
  }

  private long hopNanos() {
    return 30_000L + random.nextInt(400_000);
  }

  private long thinkNanos() {
    return random.nextInt(2_000_000) * (long) Simulation.TIME_SCALE;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String string(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  /** A [key value] tuple; the value may be nil. */
  private static List<Object> tuple(String key, Object value) {
    return Arrays.asList(key, value);
  }
}
