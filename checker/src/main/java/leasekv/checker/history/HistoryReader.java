package leasekv.checker.history;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
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
import leasekv.checker.edn.Keyword;
import leasekv.checker.edn.Tagged;

/**
 * Reads a Jepsen history in any of the shapes found in the wild: one vector or list of op maps, one op
 * map per line, or several vectors one after another; with {@code ;} comments, commas and ops printed as
 * tagged records ({@code #jepsen.history.Op{...}}). Ops stream straight from the file into {@link Op}s,
 * so the text is never held in memory.
 *
 * <p>An op without {@code :index} gets its 0-based position in the file, nemesis ops included.
 *
 * <p>Files of several MiB are read in parts by several threads at once ({@link ParallelHistoryReader}); the
 * result, and any error message, is the same as reading them in one go.
 */
public final class HistoryReader {
    private static final Object CLOSED = new Object();

    private HistoryReader() {
    }

    /** Reads {@code file} with one thread per core. */
    public static List<Op> read(Path file) {
        return read(file, Runtime.getRuntime().availableProcessors());
    }

    /** Reads {@code file}, a large regular one with up to {@code threads} threads. */
    public static List<Op> read(Path file, int threads) {
        try {
            List<Op> ops = ParallelHistoryReader.tryRead(file, threads);
            if (ops != null) {
                return ops;
            }
        } catch (IOException | RuntimeException e) {
            // Read it sequentially below, which names the problem exactly.
        }
        try (InputStream in = new BufferedInputStream(open(file), 1 << 16)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new HistoryException(file.toString(), -1, "no such file");
        } catch (IOException | UncheckedIOException e) {
            throw new HistoryException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * A pipe or a device such as /dev/stdin is opened as a FileInputStream: the stream of
     * Files.newInputStream asks a pipe for its position and fails with "Illegal seek".
     */
    private static InputStream open(Path file) throws IOException {
        boolean pipeOrDevice = Files.exists(file) && !Files.isRegularFile(file) && !Files.isDirectory(file);
        return pipeOrDevice ? new FileInputStream(file.toFile()) : Files.newInputStream(file);
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
        OpFields fields = new OpFields();
        while (true) {
            int c = reader.peekForm();
            if (c < 0) {
                return;
            }
            if (c == '[' || c == '(') {
                reader.consume();
                char closer = c == '[' ? ']' : ')';
                while (true) {
                    int next = reader.peekForm();
                    if (next == '{') {
                        ops.add(readOpMap(reader, fields, ops.size()));
                        continue;
                    }
                    Object form = reader.readElement(closer, CLOSED);
                    if (form == CLOSED) {
                        break;
                    }
                    ops.add(toOp(form, ops.size()));
                }
            } else if (c == '{') {
                ops.add(readOpMap(reader, fields, ops.size()));
            } else {
                ops.add(toOp(reader.read(), ops.size()));
            }
        }
    }

    /** The fast path: an op map read field by field, without an intermediate Map. */
    private static Op readOpMap(EdnReader reader, OpFields fields, int position) {
        try {
            Op op = readOpMap(reader, fields);
            return op.index() == Op.NO_INDEX ? op.withIndex(position) : op;
        } catch (IllegalArgumentException e) {
            throw new HistoryException(position, e.getMessage());
        }
    }

    /**
     * An op map, its index left as the file gives it; IllegalArgumentException for a bad op. {@code fields}
     * is scratch space, reused from op to op.
     */
    static Op readOpMap(EdnReader reader, OpFields fields) {
        fields.clear();
        reader.readMapEntries(fields);
        return fields.toOp();
    }

    /**
     * The fields of one op map as they stream in; integers of :process, :index and :time arrive as longs,
     * so they are never boxed.
     */
    static final class OpFields implements EdnReader.MapVisitor {
        private static final Keyword PROCESS = Keyword.of("process");
        private static final Keyword TYPE = Keyword.of("type");
        private static final Keyword F = Keyword.of("f");
        private static final Keyword VALUE = Keyword.of("value");
        private static final Keyword INDEX = Keyword.of("index");
        private static final Keyword TIME = Keyword.of("time");

        Object process;
        Object type;
        Object f;
        Object value;
        Object index;
        Object time;
        Map<Object, Object> extras;
        long processLong;
        long indexLong;
        long timeLong;
        boolean processIsLong;
        boolean indexIsLong;
        boolean timeIsLong;

        void clear() {
            process = null;
            type = null;
            f = null;
            value = null;
            index = null;
            time = null;
            extras = null;
            processIsLong = false;
            indexIsLong = false;
            timeIsLong = false;
        }

        @Override
        public boolean wantsLong(Object key) {
            return key == PROCESS || key == INDEX || key == TIME;
        }

        @Override
        public void longEntry(Object key, long number) {
            if (key == PROCESS) {
                process = null;
                processLong = number;
                processIsLong = true;
            } else if (key == INDEX) {
                index = null;
                indexLong = number;
                indexIsLong = true;
            } else {
                time = null;
                timeLong = number;
                timeIsLong = true;
            }
        }

        @Override
        public void entry(Object key, Object fieldValue) {
            if (key == PROCESS) {
                process = fieldValue;
                processIsLong = false;
            } else if (key == TYPE) {
                type = fieldValue;
            } else if (key == F) {
                f = fieldValue;
            } else if (key == VALUE) {
                value = fieldValue;
            } else if (key == INDEX) {
                index = fieldValue;
                indexIsLong = false;
            } else if (key == TIME) {
                time = fieldValue;
                timeIsLong = false;
            } else {
                if (extras == null) {
                    extras = new java.util.LinkedHashMap<>();
                }
                extras.put(key, fieldValue);
            }
        }

        Op toOp() {
            if (process == null && !processIsLong) {
                throw new IllegalArgumentException("op has no :process");
            }
            if (type == null) {
                throw new IllegalArgumentException("op has no :type");
            }
            if (f == null) {
                throw new IllegalArgumentException("op has no :f");
            }
            if (processIsLong && (indexIsLong || index == null) && (timeIsLong || time == null)) {
                return Op.fromFields(processLong, type, f, value, indexIsLong ? indexLong : Op.NO_INDEX,
                        timeIsLong ? timeLong : Op.NO_TIME, extras);
            }
            return Op.of(processIsLong ? (Object) processLong : process, type, f, value,
                    indexIsLong ? (Object) indexLong : index, timeIsLong ? (Object) timeLong : time, extras);
        }
    }

    /** An op from any form; {@code position} becomes its index if it has none. */
    static Op toOp(Object form, int position) {
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
