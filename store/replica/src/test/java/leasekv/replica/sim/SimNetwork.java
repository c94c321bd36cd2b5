package leasekv.replica.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;
import leasekv.fsm.Checkpoint;
import leasekv.raft.Message;

/**
 * The peer network. Every message may be dropped, delayed (occasionally by a lot, so replies arrive
 * late and out of order) or duplicated. Links are cut one way at a time ({@link #cut}), so partitions
 * compose as Jepsen's grudges do: a second partition can start before the first heals. A message sent
 * over a cut link is lost, or (as TCP retransmits it) held and delivered once the link heals. A link
 * can be made slow for a while.
 */
final class SimNetwork {
  private record Held(String link, Runnable delivery) {}

  private record SlowLink(long untilNanos, long extraNanos, boolean replicationOnly) {}

  private final Simulation sim;
  private final Random random;
  private final TreeSet<String> cutLinks = new TreeSet<>();
  private final Map<String, SlowLink> slowLinks = new HashMap<>();
  private final List<Held> held = new ArrayList<>();
  private final double dropRate;
  private final double duplicateRate;
  private final double lateRate;
  long sent;
  long dropped;

  SimNetwork(Simulation sim, Random random) {
    this.sim = sim;
    this.random = random;
    this.dropRate = 0.01 * random.nextInt(3);
    this.duplicateRate = 0.002 * random.nextInt(4);
    this.lateRate = 0.01 + 0.02 * random.nextDouble();
  }

  private static String link(String from, String to) {
    return from + ">" + to;
  }

  void send(Message m) {
    sent++;
    boolean replication = m.lane() == leasekv.raft.Lane.REPLICATION;
    deliverLater(m.from(), m.to(), replication, () -> sim.node(m.to()).deliver(m), null);
    if (random.nextDouble() < duplicateRate) {
      deliverLater(m.from(), m.to(), replication, () -> sim.node(m.to()).deliver(m), null);
    }
  }

  /** Streams a checkpoint and then its message; {@code done} hears whether it got there. */
  void sendSnapshot(Message install, Checkpoint checkpoint, Consumer<Boolean> done) {
    sent++;
    deliverLater(install.from(), install.to(), true,
        () -> done.accept(sim.node(install.to()).deliverSnapshot(install, checkpoint)), () -> done.accept(false));
  }

  private void deliverLater(String from, String to, boolean replication, Runnable delivery, Runnable onLoss) {
    String link = link(from, to);
    boolean cut = cutLinks.contains(link);
    if (random.nextDouble() < dropRate || (cut && random.nextInt(10) < 7)) {
      dropped++;
      if (onLoss != null) sim.loop().after(millis(1, 5), onLoss);
      return;
    }
    if (cut) {
      held.add(new Held(link, delivery));
      return;
    }
    sim.loop().after(delayNanos(link, replication), () -> {
      if (cutLinks.contains(link) && random.nextInt(10) < 7) {
        dropped++;
        if (onLoss != null) onLoss.run();
        return;
      }
      delivery.run();
    });
  }

  /** Usually 0.05 to 2 ms; a few messages take 10 to 130 ms; a slow link adds its extra delay. */
  private long delayNanos(String link, boolean replication) {
    long delay = 50_000L + (long) (random.nextDouble() * random.nextDouble() * 1_950_000L);
    if (random.nextDouble() < lateRate) delay += 10_000_000L + (long) (random.nextDouble() * 120_000_000L);
    SlowLink slow = slowLinks.get(link);
    if (slow != null && sim.now() < slow.untilNanos() && (replication || !slow.replicationOnly())) {
      delay += (long) (slow.extraNanos() * (0.5 + random.nextDouble()));
    }
    return delay;
  }

  private long millis(int lo, int hi) {
    return (lo + random.nextInt(hi - lo)) * 1_000_000L;
  }

  /** Messages from {@code from} to {@code to} are lost or held until the link heals. */
  void cut(String from, String to) {
    cutLinks.add(link(from, to));
  }

  void cutBothWays(String a, String b) {
    cut(a, b);
    cut(b, a);
  }

  /** Whether {@code from} currently reaches {@code to}. */
  boolean reaches(String from, String to) {
    return !cutLinks.contains(link(from, to));
  }

  void heal(String from, String to) {
    String link = link(from, to);
    if (!cutLinks.remove(link)) return;
    List<Held> released = new ArrayList<>();
    held.removeIf(h -> h.link().equals(link) && released.add(h));
    for (Held h : released) sim.loop().after(delayNanos(link, false), h.delivery());
  }

  void healAll() {
    for (String link : List.copyOf(cutLinks)) {
      String[] ends = link.split(">");
      heal(ends[0], ends[1]);
    }
    slowLinks.clear();
  }

  /** For {@code forNanos}, messages from {@code from} to {@code to} take about {@code extraNanos} longer. */
  void makeSlow(String from, String to, long extraNanos, long forNanos) {
    slowLinks.put(link(from, to), new SlowLink(sim.now() + forNanos, extraNanos, false));
  }

  /** Like {@link #makeSlow}, for the replication lane only (appends and their answers; heartbeats and votes pass). */
  void makeReplicationSlow(String from, String to, long extraNanos, long forNanos) {
    slowLinks.put(link(from, to), new SlowLink(sim.now() + forNanos, extraNanos, true));
  }

  String describeCuts() {
    return cutLinks.isEmpty() ? "none" : String.join(" ", cutLinks);
  }
}
