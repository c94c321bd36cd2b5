package leasekv.checker.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import leasekv.checker.HistoryException;
import leasekv.checker.Op;
import leasekv.checker.OpType;

/**
 * Reads the Jepsen etcd logs that Porcupine's repository tests with ({@code test_data/jepsen/etcd_NNN.log},
 * Jepsen's old text log: {@code INFO  jepsen.util - 3	:invoke	:cas	[1 4]}) as ops of a single cas
 * register. A value that is not an EDN value ({@code :timed-out} on a crashed op) becomes nil; the checker
 * takes a crashed op's value from its invocation anyway. Lines of any other kind are skipped.
 */
public final class EtcdLog {
    /**
     * The logs Porcupine's tests expect to be linearizable, by number; the other 79 of etcd_000 to etcd_102
     * are expected not to be, and etcd_095 has no expectation (that run's cluster never started).
     */
    public static final Set<Integer> LINEARIZABLE = Set.of(2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75,
            76, 80, 87, 92, 98, 100, 101, 102);
    public static final int WITHOUT_EXPECTATION = 95;

    private static final Pattern OP = Pattern.compile(
            "^INFO\\s+jepsen\\.util\\s+-\\s+(\\d+)\\s+:(invoke|ok|fail|info)\\s+:(read|write|cas)\\s+(.*?)\\s*$");
    private static final Pattern CAS = Pattern.compile("^\\[(-?\\d+)\\s+(-?\\d+)\\]$");

    private EtcdLog() {
    }

    public static List<Op> read(Path log) throws IOException {
        List<Op> ops = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher op = OP.matcher(line);
            if (op.matches()) {
                ops.add(new Op(Long.parseLong(op.group(1)), OpType.parse(op.group(2)), op.group(3), value(op.group(4), ops.size()),
                        ops.size(), Op.NO_TIME, null));
            }
        }
        return ops;
    }

    private static Object value(String text, int index) {
        if (text.matches("-?\\d+")) {
            return Long.parseLong(text);
        }
        Matcher cas = CAS.matcher(text);
        if (cas.matches()) {
            return List.of(Long.parseLong(cas.group(1)), Long.parseLong(cas.group(2)));
        }
        if (text.equals("nil") || text.startsWith(":")) {
            return null;
        }
        throw new HistoryException(index, "unexpected value in an etcd log line: " + text);
    }
}
