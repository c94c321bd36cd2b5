package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The test nodes' ports stay out of the range the kernel hands to outgoing connections. */
class TestPortsTest {
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  @Test
  void portsAreBelowTheEphemeralRangeAndNotHandedOutTwice() throws Exception {
    assumeTrue(Files.isReadable(EPHEMERAL_RANGE), "no " + EPHEMERAL_RANGE);
    int lowestEphemeral = Integer.parseInt(Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      int port = TestPorts.free();
      assertTrue(port < lowestEphemeral, port + " is an ephemeral port (from " + lowestEphemeral + ")");
      seen.add(port);
    }
    assertEquals(100, seen.size(), "a port handed out twice");
  }
}
