package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import leasekv.checker.bench.EtcdLog;
import org.junit.jupiter.api.Test;

/**
 * Porcupine's Jepsen etcd logs (test_data/jepsen in its repository, not kept here) get the verdicts
 * Porcupine's own tests expect. Runs when the directory is found: {@code -Dleasekv.porcupine.etcd=DIR},
 * {@code LEASEKV_PORCUPINE_ETCD}, or {@code /tmp/porcupine-src/test_data/jepsen}.
 */
class PorcupineEtcdLogsTest {
    private static Path logs() {
        String configured = System.getProperty("leasekv.porcupine.etcd", System.getenv("LEASEKV_PORCUPINE_ETCD"));
        return Path.of(configured != null ? configured : "/tmp/porcupine-src/test_data/jepsen");
    }

    @Test
    void everyLogGetsPorcupinesVerdict() throws IOException {
        Path dir = logs();
        assumeTrue(Files.isRegularFile(dir.resolve("etcd_000.log")), "Porcupine's etcd logs are not at " + dir);
        Checker checker = new Checker(CheckOptions.builder().model("cas-register").initialEdn("nil").build());
        List<String> disagreements = new ArrayList<>();
        int checked = 0;
        for (int n = 0; n <= 102; n++) {
            if (n == EtcdLog.WITHOUT_EXPECTATION) {
                continue;
            }
            Path log = dir.resolve(String.format("etcd_%03d.log", n));
            Validity expected = EtcdLog.LINEARIZABLE.contains(n) ? Validity.VALID : Validity.INVALID;
            Validity verdict = checker.check(EtcdLog.read(log)).validity();
            if (verdict != expected) {
                disagreements.add(log.getFileName() + ": " + verdict + ", expected " + expected);
            }
            checked++;
        }
        assertEquals(102, checked);
        assertEquals(List.of(), disagreements);
    }
}
