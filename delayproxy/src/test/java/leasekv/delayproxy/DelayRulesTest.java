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
        assertEquals(800, t.delayMillisFor(InetAddress.getByName("10.78.0.12")));
        assertEquals(5, t.delayMillisFor(InetAddress.getByName("10.78.0.13")));
    }

    @Test
    void noDefaultMeansZero() throws Exception {
        assertEquals(0, DelayRules.parse(List.of("10.0.0.1 3")).delayMillisFor(InetAddress.getByName("10.0.0.2")));
    }

    @Test
    void badLinesNameTheLineAndTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DelayRules.parse(List.of("* 1", "x.y 3")))
                .getMessage().contains("line 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DelayRules.parse(List.of("* -1")))
                .getMessage().contains("outside"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DelayRules.parse(List.of("10.0.0.1")))
                .getMessage().contains("SOURCE DELAY_MS"));
    }

    @Test
    void optionsAreChecked() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.parse(List.of("--bogus", "1")))
                .getMessage().contains("--bogus"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Main.address(java.util.Map.of("--listen", "nohost"), "--listen")).getMessage().contains("HOST:PORT"));
    }
}
