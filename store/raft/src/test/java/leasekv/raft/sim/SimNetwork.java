package leasekv.raft.sim;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.raft.testing.Firewall;

/**
 * The peer network: every message may be dropped, delayed (occasionally by a lot, so replies arrive
 * late and out of order) or duplicated; the {@link Firewall} cuts links at send time (a message
 * already on the wire still arrives, as buffered packets do). A node can be made slow: its outgoing
 * messages get a large extra delay for a while.
 */
final class SimNetwork {
  private final Simulation sim;
  private final Random random;
  final Firewall firewall = new Firewall();
  private record SlowLink(long untilNanos, long extraNanos) {}

  /** Keyed by "from>to". */
  private final Map<String, SlowLink> slowLinks = new HashMap<>();
  private final double dropRate = 0.01;
  private final double duplicateRate = 0.005;
  private final double lateRate = 0.02;
  long sent;
  long dropped;
  long duplicated;

  SimNetwork(Simulation sim, Random random) {
    this.sim = sim;
    this.random = random;
  }

  void send(SimNode from, Message m) {
    sent++;
    if (!firewall.allows(m.from(), m.to()) || random.nextDouble() < dropRate) {
      drop(m);
      return;
    }
    Map<String, String> checkpoint = null;
    if (m.type() == MessageType.INSTALL_SNAPSHOT) {
      checkpoint = from.checkpointAt(m.snapshot().index());
      if (checkpoint == null) { // compacted further meanwhile: the stream fails
        drop(m);
        return;
      }
    }
    Map<String, String> attached = checkpoint;
    long delay = delayNanos(m.from(), m.to());
    sim.loop().after(delay, () -> deliver(m, attached));
    if (random.nextDouble() < duplicateRate) {
      duplicated++;
      sim.loop().after(delay + delayNanos(m.from(), m.to()), () -> deliver(m, attached));
    }
  }

  private void deliver(Message m, Map<String, String> checkpoint) {
    boolean delivered = sim.node(m.to()).receive(m, checkpoint);
    if (m.type() == MessageType.INSTALL_SNAPSHOT) sim.node(m.from()).reportSnapshot(m.to(), delivered);
  }

  private void drop(Message m) {
    dropped++;
    if (m.type() == MessageType.INSTALL_SNAPSHOT) {
      sim.loop().after(1_000_000L, () -> sim.node(m.from()).reportSnapshot(m.to(), false));
    }
  }

  /** Usually 0.1 to 2 ms; 2% of messages take 10 to 130 ms; a slow link adds its extra delay. */
  private long delayNanos(String from, String to) {
    long delay = 100_000L + (long) (random.nextDouble() * random.nextDouble() * 1_900_000L);
    if (random.nextDouble() < lateRate) delay += 10_000_000L + (long) (random.nextDouble() * 120_000_000L);
    SlowLink slow = slowLinks.get(from + ">" + to);
    if (slow != null && sim.now() < slow.untilNanos()) delay += (long) (slow.extraNanos() * (0.5 + random.nextDouble()));
    return delay;
  }

  /** For {@code forNanos}, messages from {@code from} to {@code to} take about {@code extraNanos} longer. */
  void makeSlow(String from, String to, long extraNanos, long forNanos) {
    slowLinks.put(from + ">" + to, new SlowLink(sim.now() + forNanos, extraNanos));
  }

  void healAll() {
    firewall.heal();
    slowLinks.clear();
  }
}
