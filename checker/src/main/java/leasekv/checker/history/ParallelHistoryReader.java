package leasekv.checker.history;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import leasekv.checker.Op;
import leasekv.checker.edn.EdnReader;

/**
 * Reads a large history in several parts at once. The file is mapped, cut near equal sizes at line starts
 * that begin an op map ({@code \n{} or a tagged record {@code \n#}), and each part is parsed on its own
 * thread as a run of ops.
 *
 * <p>A cut can only be trusted if the part before it parsed to its very end without error: a cut inside a
 * string, a multi-line map or a discard leaves that part ending inside an unfinished form, which the reader
 * rejects. Parts are checked from the file's start, so when every part parses cleanly each cut is a real
 * boundary between ops and the result is what the sequential reader gives. Anything unusual (an error, a
 * shape other than one vector or list of ops, or one op map per line) makes this reader give up and return
 * null; the caller then reads the file sequentially, which also names any error exactly.
 */
final class ParallelHistoryReader {
    /** Below this the parse takes well under 100 ms and threads are not worth starting. */
    static final long MIN_PARALLEL_BYTES = 4L << 20;
    private static final int PARTS_PER_THREAD = 4;
    private static final int CUT_SEARCH_BYTES = 1 << 20;
    private static final int NO_CLOSER = -1;

    private ParallelHistoryReader() {
    }

    /** The ops of {@code file}, read by {@code threads} threads; null if the file must be read sequentially. */
    static List<Op> tryRead(Path file, int threads) throws IOException {
        return tryRead(file, threads, MIN_PARALLEL_BYTES);
    }

    /** As {@link #tryRead(Path, int)}, for files of at least {@code minBytes}. */
    static List<Op> tryRead(Path file, int threads, long minBytes) throws IOException {
        // A pipe (bin/checker <(...)) can be read only once, in order: opening it here would consume it.
        if (threads < 2 || !Files.isRegularFile(file)) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (threads < 2 || size < minBytes) {
                return null;
            }
            int closer = closerOfTopLevel(channel);
            if (closer == -2) {
                return null;
            }
            List<long[]> parts = cut(channel, size, threads * PARTS_PER_THREAD);
            ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
                Thread thread = new Thread(runnable, "history-reader");
                thread.setDaemon(true);
                return thread;
            });
            try {
                List<Future<List<Op>>> parsed = new ArrayList<>(parts.size());
                for (int i = 0; i < parts.size(); i++) {
                    long[] part = parts.get(i);
                    boolean first = i == 0;
                    boolean last = i == parts.size() - 1;
                    MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, part[0], part[1] - part[0]);
                    parsed.add(pool.submit(() -> readPart(bytes, first, last, closer)));
                }
                return join(parsed);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * What closes the top level: {@code ]} or {@code )} for one vector or list of ops, NO_CLOSER for op maps
     * one after another, -2 for any other shape.
     */
    private static int closerOfTopLevel(FileChannel channel) throws IOException {
        ByteBuffer head = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(channel.size(), CUT_SEARCH_BYTES));
        int c = new EdnReader(new BufferInputStream(head)).peekForm();
        return c == '[' ? ']' : c == '(' ? ')' : c == '{' ? NO_CLOSER : -2;
    }

    /** Byte ranges [start, end) covering the file, cut at line starts that begin an op. */
    private static List<long[]> cut(FileChannel channel, long size, int wanted) throws IOException {
        List<long[]> parts = new ArrayList<>();
        long start = 0;
        for (int i = 1; i < wanted; i++) {
            long cut = opLineAtOrAfter(channel, Math.max(start + 1, size * i / wanted), size);
            if (cut < 0) {
                break;
            }
            parts.add(new long[] {start, cut});
            start = cut;
        }
        parts.add(new long[] {start, size});
        return parts;
    }

    /** The position of the first {@code {} or {@code #} that starts a line at or after {@code from}, or -1. */
    private static long opLineAtOrAfter(FileChannel channel, long from, long size) throws IOException {
        long windowEnd = Math.min(size, from + CUT_SEARCH_BYTES);
        ByteBuffer window = channel.map(FileChannel.MapMode.READ_ONLY, from, windowEnd - from);
        boolean lineStart = false;
        for (int i = 0; i < window.limit(); i++) {
            byte b = window.get(i);
            if (b == '\n') {
                lineStart = true;
            } else if (lineStart && (b == '{' || b == '#')) {
                return from + i;
            } else if (b != ' ' && b != '\t' && b != ',' && b != '\r') {
                lineStart = false;
            }
        }
        return -1;
    }

    /** Parses one part as a run of ops; throws on anything but whole ops (and the top level's ends). */
    private static List<Op> readPart(ByteBuffer bytes, boolean first, boolean last, int closer) {
        EdnReader reader = new EdnReader(new BufferInputStream(bytes));
        HistoryReader.OpFields fields = new HistoryReader.OpFields();
        List<Op> ops = new ArrayList<>(bytes.limit() / 80);
        if (first && closer != NO_CLOSER) {
            reader.peekForm();
            reader.consume();
        }
        while (true) {
            int c = reader.peekForm();
            if (c < 0) {
                if (last && closer != NO_CLOSER) {
                    throw new IllegalStateException("the top-level collection is not closed");
                }
                return ops;
            }
            if (c == closer) {
                reader.consume();
                if (!last || reader.peekForm() >= 0) {
                    throw new IllegalStateException("more than one top-level collection");
                }
                return ops;
            }
            ops.add(c == '{' ? HistoryReader.readOpMap(reader, fields) : HistoryReader.toOp(reader.read(), -1));
        }
    }

    private static List<Op> join(List<Future<List<Op>>> parsed) {
        List<List<Op>> parts = new ArrayList<>(parsed.size());
        int total = 0;
        for (Future<List<Op>> part : parsed) {
            try {
                parts.add(part.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (java.util.concurrent.ExecutionException e) {
                return null;
            }
            total += parts.get(parts.size() - 1).size();
        }
        List<Op> ops = new ArrayList<>(total);
        for (List<Op> part : parts) {
            for (Op op : part) {
                ops.add(op.index() == Op.NO_INDEX ? op.withIndex(ops.size()) : op);
            }
        }
        return ops;
    }

    /** An InputStream over a buffer, for the reader. */
    private static final class BufferInputStream extends InputStream {
        private final ByteBuffer buffer;

        BufferInputStream(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public int read() {
            return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (!buffer.hasRemaining()) {
                return -1;
            }
            int n = Math.min(length, buffer.remaining());
            buffer.get(into, offset, n);
            return n;
        }
    }
}
