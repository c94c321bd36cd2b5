package leasekv.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import leasekv.client.LeaseKvClient;
import leasekv.client.Role;
import leasekv.fsm.SyncMode;

/**
 * Real nodes in this JVM on loopback, with short timeouts, for tests: start, stop (a crash as far as
 * the other nodes can tell, with the data left in place), restart, and find the leader.
 */
final class LocalCluster implements AutoCloseable {
  private final Path root;
  private final Map<String, PeerAddress> peers = new LinkedHashMap<>();
  private final Map<String, Integer> metricsPorts = new LinkedHashMap<>();
  private final Map<String, Node> running = new LinkedHashMap<>();
  private final UnaryOperator<NodeConfig> tweak;

  LocalCluster(Path root, int size, UnaryOperator<NodeConfig> tweak) throws IOException {
    this.root = root;
    this.tweak = tweak;
    for (int i = 1; i <= size; i++) {
      String id = "n" + i;
      peers.put(id, new PeerAddress(id, "127.0.0.1", TestPorts.free(), TestPorts.free()));
      metricsPorts.put(id, TestPorts.free());
    }
  }

  NodeConfig config(String id) {
    PeerAddress self = peers.get(id);
    NodeConfig c = NodeConfig.builder().id(id).peers(peers)
        .walDir(root.resolve(id).resolve("wal")).fsmDir(root.resolve(id).resolve("fsm"))
        .clientAddr(Main.address("client", "127.0.0.1:" + self.clientPort(), null))
        .peerAddr(Main.address("peer", "127.0.0.1:" + self.peerPort(), null))
        .metricsAddr(Main.address("metrics", "127.0.0.1:" + metricsPorts.get(id), null))
        .clusterId("test-cluster").electionTimeoutMillis(300).heartbeatIntervalMillis(50)
        .snapshotIntervalEntries(10_000).logRetainEntries(100).requestTimeoutMillis(3_000).testHooks(true)
        .build();
    return tweak.apply(c);
  }

  LocalCluster startAll() throws Exception {
    for (String id : peers.keySet()) start(id);
    return this;
  }

  Node start(String id) throws Exception {
    Node n = Node.start(config(id));
    running.put(id, n);
    return n;
  }

  /** Stops a node; to the others it looks like a crash. Its data stays for a restart. */
  void stop(String id) {
    Node n = running.remove(id);
    if (n != null) n.close();
  }

  List<String> ids() {
    return new ArrayList<>(peers.keySet());
  }

  String clientAddress(String id) {
    return peers.get(id).clientHostPort();
  }

  List<String> clientAddresses() {
    List<String> out = new ArrayList<>();
    for (PeerAddress p : peers.values()) out.add(p.clientHostPort());
    return out;
  }

  LeaseKvClient client() {
    return LeaseKvClient.builder().nodes(clientAddresses()).requestTimeoutMillis(2_000).build();
  }

  LeaseKvClient pinned(String id) {
    return LeaseKvClient.builder().nodes(List.of(clientAddress(id))).pinned(true).requestTimeoutMillis(2_000).build();
  }

  /** Waits until one running node says it leads, and the others agree; returns its id. */
  String awaitLeader(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      String leader = null;
      boolean agreed = true;
      for (String id : running.keySet()) {
        try (LeaseKvClient c = pinned(id)) {
          Role r = c.role();
          if (r.role().equals("leader")) leader = id;
          if (r.leaderId() == null) agreed = false;
        } catch (Exception e) {
          agreed = false;
        }
      }
      if (leader != null && agreed) return leader;
      Thread.sleep(50);
    }
    throw new AssertionError("no leader within " + timeoutMillis + " ms");
  }

  /** Waits until every running node reports the same digest at the same applied index. */
  String awaitConvergence(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    List<String> last = List.of();
    while (System.currentTimeMillis() < deadline) {
      List<String> digests = new ArrayList<>();
      for (String id : running.keySet()) {
        try (LeaseKvClient c = pinned(id)) {
          digests.add(String.valueOf(c.command("ADMIN", "DIGEST")));
        } catch (Exception e) {
          digests.add("error " + e);
        }
      }
      if (digests.stream().distinct().count() == 1) return digests.get(0);
      last = digests;
      Thread.sleep(100);
    }
    throw new AssertionError("replicas did not converge: " + last);
  }

  @Override
  public void close() {
    for (String id : List.copyOf(running.keySet())) stop(id);
  }
}
