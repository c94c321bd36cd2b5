package leasekv.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for the peer benchmark, laid out exactly like the harness's {@code local}
 * remote in the same slot (LEASEKV_SLOT): namespaces {@code lkv<s>-n1..}, bridge {@code lkv<s>-br0}
 * with {@code 10.<77+s>.0.1/24} on the host side, node {@code nI} at {@code 10.<77+s>.0.(10+I)}.
 * So a benchmark and a harness run never share a slot by accident, and the harness's
 * {@code lein run cleanup} removes what an interrupted benchmark left.
 *
 * <p>Every system under test runs inside these namespaces; the load generators run on the host and
 * reach the nodes over the bridge, as the harness's clients do.
 */
final class NetnsCluster implements AutoCloseable {
  private final int slot;
  private final int size;
  private final List<Process> daemons = new ArrayList<>();
  private boolean up;

  NetnsCluster(int slot, int size) {
    if (slot < 0 || slot > 9) throw new IllegalArgumentException("LEASEKV_SLOT must be 0-9, was " + slot);
    if (size < 1 || size > 9) throw new IllegalArgumentException("nodes must be 1-9, was " + size);
    this.slot = slot;
    this.size = size;
  }

  /** The slot from LEASEKV_SLOT (0 when unset), with the harness's rule: one digit. */
  static int slotFromEnvironment() {
    String v = System.getenv("LEASEKV_SLOT");
    if (v == null || v.isEmpty()) return 0;
    if (!v.matches("[0-9]")) throw new IllegalArgumentException("LEASEKV_SLOT must be a digit 0-9, was '" + v + "'");
    return Integer.parseInt(v);
  }

  String prefix() {
    return slot == 0 ? "lkv" : "lkv" + slot;
  }

  String address(int node) {
    return "10." + (77 + slot) + ".0." + (10 + node);
  }

  String hostAddress() {
    return "10." + (77 + slot) + ".0.1";
  }

  int size() {
    return size;
  }

  private String namespace(int node) {
    return prefix() + "-n" + node;
  }

  /** Removes leftovers of this slot, then creates the bridge and one namespace per node. */
  void setUp() throws IOException, InterruptedException {
    cleanUp();
    String bridge = prefix() + "-br0";
    host("ip", "link", "add", bridge, "type", "bridge");
    host("ip", "addr", "add", hostAddress() + "/24", "dev", bridge);
    host("ip", "link", "set", bridge, "up");
    for (int i = 1; i <= size; i++) {
      String ns = namespace(i);
      String veth = prefix() + "-v" + i;
      host("ip", "netns", "add", ns);
      host("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
      host("ip", "link", "set", veth, "master", bridge, "up");
      inNamespace(i, "ip", "addr", "add", address(i) + "/24", "dev", "eth0");
      inNamespace(i, "ip", "link", "set", "eth0", "up");
      inNamespace(i, "ip", "link", "set", "lo", "up");
    }
    up = true;
  }

  /** Starts {@code command} inside node {@code node}'s namespace, output to {@code log}. */
  Process start(int node, List<String> command, Path log) throws IOException {
    List<String> argv = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + namespace(node)));
    argv.addAll(command);
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    synchronized (daemons) {
      daemons.add(p);
    }
    return p;
  }

  /** Kills {@code p} (SIGKILL) and waits for it. */
  void kill(Process p) throws InterruptedException {
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
    synchronized (daemons) {
      daemons.remove(p);
    }
  }

  /** Kills every daemon this cluster started. */
  void killAll() throws InterruptedException {
    List<Process> all;
    synchronized (daemons) {
      all = new ArrayList<>(daemons);
    }
    for (Process p : all) kill(p);
  }

  /** Removes every namespace and link of this slot, killing what runs inside. Idempotent. */
  void cleanUp() throws IOException, InterruptedException {
    String list = run(List.of("ip", "netns", "list"), false);
    for (String line : list.split("\n")) {
      String ns = line.split("\\s+")[0];
      if (!ns.matches(prefix() + "-n[0-9]+")) continue;
      for (String pid : run(List.of("ip", "netns", "pids", ns), false).split("\n")) {
        if (pid.matches("[0-9]+")) {
          run(List.of("kill", "-CONT", pid), false);
          run(List.of("kill", "-9", pid), false);
        }
      }
      run(List.of("ip", "netns", "del", ns), false);
    }
    for (String line : run(List.of("ip", "-o", "link", "show"), false).split("\n")) {
      var m = java.util.regex.Pattern.compile("^\\d+: (" + prefix() + "-[a-z0-9]+)[@:]").matcher(line);
      if (m.find()) run(List.of("ip", "link", "del", m.group(1)), false);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    killAll();
    if (up) cleanUp();
    up = false;
  }

  private void host(String... argv) throws IOException, InterruptedException {
    run(List.of(argv), true);
  }

  private void inNamespace(int node, String... argv) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + namespace(node)));
    full.addAll(List.of(argv));
    run(full, true);
  }

  /** Runs a short command; returns its output. With {@code check}, a non-zero exit throws naming it. */
  static String run(List<String> argv, boolean check) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", argv));
    }
    if (check && p.exitValue() != 0) {
      throw new IOException("'" + String.join(" ", argv) + "' exited " + p.exitValue() + ": " + out.strip());
    }
    return out;
  }
}
