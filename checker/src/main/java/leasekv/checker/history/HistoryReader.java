package leasekv.checker.history;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import leasekv.checker.HistoryException;
import leasekv.checker.Op;
import leasekv.checker.edn.EdnException;
import leasekv.checker.edn.EdnReader;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.Tagged;

/**
 * Reads a Jepsen history in any of the shapes found in the wild: one vector or list of op maps, one op
 * map per line, or several vectors one after another; with {@code ;} comments, commas and ops printed as
 * tagged records ({@code #jepsen.history.Op{...}}). Ops stream straight from the file into {@link Op}s,
 * so the text is never held in memory.
 *
 * <p>An op without {@code :index} gets its 0-based position in the file, nemesis ops included.
 */
public final class HistoryReader {
    private static final Object CLOSED = new Object();

    private HistoryReader() {
    }

    public static List<Op> read(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new HistoryException(file.toString(), -1, "no such file");
        } catch (IOException | UncheckedIOException e) {
            throw new HistoryException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public static List<Op> readString(String edn) {
        return read(new ByteArrayInputStream(edn.getBytes(StandardCharsets.UTF_8)), "history");
    }

    /** Reads every op; {@code sourceName} only names the input in error messages. */
    public static List<Op> read(InputStream in, String sourceName) {
        EdnReader reader = new EdnReader(in);
        List<Op> ops = new ArrayList<>();
        try {
            readTopLevel(reader, ops);
        } catch (EdnException e) {
            throw new HistoryException(sourceName, -1, "malformed EDN at " + e.getMessage()
                    + " (after " + ops.size() + " ops)");
        } catch (HistoryException e) {
            throw e.from(sourceName);
        }
        return ops;
    }

    private static void readTopLevel(EdnReader reader, List<Op> ops) {
        while (true) {
            int c = reader.peekForm();
            if (c < 0) {
                return;
            }
            if (c == '[' || c == '(') {
                reader.consume();
                char closer = c == '[' ? ']' : ')';
                for (Object form = reader.readElement(closer, CLOSED); form != CLOSED;
                        form = reader.readElement(closer, CLOSED)) {
                    ops.add(toOp(form, ops.size()));
                }
            } else {
                ops.add(toOp(reader.read(), ops.size()));
            }
        }
    }

    private static Op toOp(Object form, int position) {
        Object unwrapped = form instanceof Tagged ? ((Tagged) form).value() : form;
        if (!(unwrapped instanceof Map)) {
            throw new HistoryException(position, "expected an op map such as {:process 0, :type :invoke, :f :read,"
                    + " :value nil}, found " + abbreviate(EdnWriter.write(form)));
        }
        Op op;
        try {
            op = Op.fromMap((Map<?, ?>) unwrapped);
        } catch (IllegalArgumentException e) {
            throw new HistoryException(position, e.getMessage() + " in " + abbreviate(EdnWriter.write(form)));
        }
        return op.index() == Op.NO_INDEX ? op.withIndex(position) : op;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
