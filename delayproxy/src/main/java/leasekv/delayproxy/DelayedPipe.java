package leasekv.delayproxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Copies one direction of a connection, holding every chunk for the delay in force when it was
 * read. Chunks leave in the order they arrived (a chunk never overtakes an earlier one, even when
 * the delay shrinks), so the byte stream stays intact: only its timing changes.
 *
 * <p>Two threads: the reader stamps each chunk with its due time; the writer sleeps until then.
 * When either side ends, {@code onEnd} runs once (the proxy closes both sockets).
 */
final class DelayedPipe {
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final byte[] END = new byte[0];

    private record Chunk(byte[] bytes, long dueNanos) {}

    private final InputStream in;
    private final OutputStream out;
    private final LongSupplier delayMillis;
    private final Runnable onEnd;
    private final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    private long lastDueNanos = Long.MIN_VALUE;
    private Consumer<byte[]> onFirstChunk = first -> {};

    DelayedPipe(InputStream in, OutputStream out, LongSupplier delayMillis, Runnable onEnd) {
        this.in = in;
        this.out = out;
        this.delayMillis = delayMillis;
        this.onEnd = onEnd;
    }

    /** Sees the first chunk read before its delay is computed (the proxy reads the lane there). */
    DelayedPipe onFirstChunk(Consumer<byte[]> hook) {
        this.onFirstChunk = hook;
        return this;
    }

    void start(String name) {
        Thread reader = new Thread(this::readLoop, name + "-read");
        Thread writer = new Thread(this::writeLoop, name + "-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private void readLoop() {
        byte[] buf = new byte[CHUNK_BYTES];
        try {
            int n;
            boolean first = true;
            while ((n = in.read(buf)) >= 0) {
                if (n == 0) continue;
                if (first) {
                    onFirstChunk.accept(Arrays.copyOf(buf, n));
                    first = false;
                }
                long due = Math.max(System.nanoTime() + delayMillis.getAsLong() * 1_000_000L, lastDueNanos);
                lastDueNanos = due;
                queue.put(new Chunk(Arrays.copyOf(buf, n), due));
            }
        } catch (IOException e) {
            // the connection ended; the writer delivers what was read, then ends
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.add(new Chunk(END, Math.max(System.nanoTime(), lastDueNanos)));
    }

    private void writeLoop() {
        try {
            while (true) {
                Chunk c = queue.take();
                long wait = c.dueNanos() - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                if (c.bytes() == END) break;
                out.write(c.bytes());
                out.flush();
            }
        } catch (IOException e) {
            // the other side is gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            onEnd.run();
        }
    }
}
