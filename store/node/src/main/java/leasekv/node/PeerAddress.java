package leasekv.node;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where a member listens: its peer port (Raft traffic) and client port (RESP), on one host. */
public record PeerAddress(String id, String host, int peerPort, int clientPort) {
  public InetSocketAddress peerSocket() {
    return new InetSocketAddress(host, peerPort);
  }

  public String clientHostPort() {
    return host + ":" + clientPort;
  }

  /** Parses {@code id=host:peerPort:clientPort}. */
  public static PeerAddress parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0)
      throw new ConfigException(
          "--peers entry '" + spec + "' must look like id=host:peerPort:clientPort");
    String id = spec.substring(0, eq).trim();
    String[] parts = spec.substring(eq + 1).trim().split(":");
    if (parts.length != 3 || parts[0].isEmpty()) {
      throw new ConfigException(
          "--peers entry '" + spec + "' must look like id=host:peerPort:clientPort");
    }
    if (!id.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ConfigException(
          "--peers: node id '" + id + "' may only use letters, digits, '_', '.', '-'");
    }
    return new PeerAddress(id, parts[0], port(spec, parts[1]), port(spec, parts[2]));
  }

  /** Parses a comma-separated list, keeping its order; ids must be unique. */
  public static Map<String, PeerAddress> parseList(String specs) {
    Map<String, PeerAddress> peers = new LinkedHashMap<>();
    for (String spec : specs.split(",")) {
      if (spec.isBlank()) continue;
      PeerAddress p = parse(spec.trim());
      if (peers.put(p.id(), p) != null)
        throw new ConfigException("--peers names node '" + p.id() + "' twice");
    }
    if (peers.isEmpty()) throw new ConfigException("--peers is empty");
    return peers;
  }

  private static int port(String spec, String text) {
    try {
      int port = Integer.parseInt(text);
      if (port < 1 || port > 65535) throw new NumberFormatException();
      return port;
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "--peers entry '" + spec + "': '" + text + "' is not a port (1-65535)");
    }
  }

  @Override
  public String toString() {
    return id + "=" + host + ":" + peerPort + ":" + clientPort;
  }
}
