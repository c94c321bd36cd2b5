package leasekv.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback ports for the nodes a test starts, chosen below the kernel's ephemeral range (32768-60999
 * by default). A port from {@code new ServerSocket(0)} is an ephemeral one: between the test choosing
 * it and the node binding it, the outgoing connections of nodes already started (peers dialling
 * peers that are not up yet) may take it, and the start fails with "Address already in use".
 */
final class TestPorts {
  private static final int LOW = 20_000;
  private static final int HIGH = 32_000;
  /** Walks the range from a random point, so one JVM never hands out a port twice. */
  private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(HIGH - LOW));

  private TestPorts() {}

  /** Returns a port of 127.0.0.1 that nothing is bound to right now. */
  static int free() throws IOException {
    for (int tries = 0; tries < HIGH - LOW; tries++) {
      int port = LOW + Math.floorMod(NEXT.getAndIncrement(), HIGH - LOW);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException taken) {
        // bound by someone else: try the next one
      }
    }
    throw new IOException("no free loopback port in " + LOW + ".." + HIGH);
  }
}
