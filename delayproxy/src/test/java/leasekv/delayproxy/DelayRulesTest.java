package leasekv.delayproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelayRulesTest {
    @Test
    void parsesSourcesDefaultsAndComments() throws Exception {
        DelayRules.Table t = DelayRules.parse(List.of("# c", "10.78.0.12  800", "", "* 5 # rest"));
        assertEquals(800, t.delayMillisFor(InetAddress.getByName("10.78.0.12"), null));
        assertEquals(5, t.delayMillisFor(InetAddress.getByName("10.78.0.13"), "control"));
    }

    @Test
    void noDefaultMeansZero() throws Exception {
        assertEquals(0, DelayRules.parse(List.of("10.0.0.1 3")).delayMillisFor(InetAddress.getByName("10.0.0.2"), null));
    }

    @Test
    void theMostSpecificLineWins() throws Exception {
        DelayRules.Table t = DelayRules.parse(List.of("* 1", "* replication 150", "10.0.0.1 7", "10.0.0.1 replication 9"));
        InetAddress one = InetAddress.getByName("10.0.0.1");
        InetAddress two = InetAddress.getByName("10.0.0.2");
        assertEquals(9, t.delayMillisFor(one, "replication"));
        assertEquals(7, t.delayMillisFor(one, "control"));
        assertEquals(7, t.delayMillisFor(one, null));
        assertEquals(150, t.delayMillisFor(two, "replication"));
        assertEquals(1, t.delayMillisFor(two, "control"));
        assertEquals(1, t.delayMillisFor(two, null));
    }

    @Test
    void readsTheLaneFromALeasekvHello() {
        byte[] hello = {0, 0, 0, 40, 'L', 'K', 'V', '1', 1, 1, 0, 3, 'a', 'b', 'c'};
        assertEquals("replication", LaneSniffer.laneOf(hello));
        hello[9] = 0;
        assertEquals("control", LaneSniffer.laneOf(hello));
        hello[9] = 7;
        assertEquals(null, LaneSniffer.laneOf(hello));
        assertEquals(null, LaneSniffer.laneOf("GET / HTTP/1.1\r\n".getBytes()));
        assertEquals(null, LaneSniffer.laneOf(new byte[] {0, 0, 0, 9, 'L', 'K'}));
    }

    @Test
    void badLinesNameTheLineAndTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DelayRules.parse(List.of("* 1", "x.y 3")))
                .getMessage().contains("line 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DelayRules.parse(List.of("* -1")))
                .getMessage().contains("outside"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DelayRules.parse(List.of("10.0.0.1")))
                .getMessage().contains("SOURCE [LANE] DELAY_MS"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DelayRules.parse(List.of("* appends 3")))
                .getMessage().contains("lane 'appends'"));
    }

    @Test
    void optionsAreChecked() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.parse(List.of("--bogus", "1")))
                .getMessage().contains("--bogus"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Main.address(java.util.Map.of("--listen", "nohost"), "--listen")).getMessage().contains("HOST:PORT"));
    }
}
