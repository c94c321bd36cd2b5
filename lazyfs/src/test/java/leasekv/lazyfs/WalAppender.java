package leasekv.lazyfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * A tiny WAL, run as a separate process by {@link WalCrashTest} so it can be killed with -9. It creates
 * its segment durably (file and directory fsync), then appends checksummed records, calling
 * {@code FileChannel.force(false)} (fdatasync) after every {@code forceEvery}-th and printing
 * "acked ID" once a record is durable. With {@code stopAfter > 0} it stops after that many records,
 * appends three records it never syncs, prints "tail" and waits to be killed.
 *
 * <p>Record: int length of the rest, long id, payload, int CRC32 of id and payload.
 */
public final class WalAppender {
    static final String SEGMENT = "segment-000001";

    private WalAppender() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dir = Path.of(args[0]);
        int forceEvery = Integer.parseInt(args[1]);
        long stopAfter = Long.parseLong(args[2]);
        Random random = new Random(42);
        try (FileChannel segment = FileChannel.open(dir.resolve(SEGMENT), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            segment.force(true);
            try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                directory.force(true);
            }
            System.out.println("ready");
            for (long id = 0; stopAfter <= 0 || id < stopAfter; id++) {
                append(segment, id, random);
                if (id % forceEvery == forceEvery - 1) {
                    segment.force(false);
                    System.out.println("acked " + id);
                    System.out.flush();
                }
            }
            for (long id = stopAfter; id < stopAfter + 3; id++) {
                append(segment, id, random);
            }
            System.out.println("tail");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private static void append(FileChannel segment, long id, Random random) throws IOException {
        byte[] payload = new byte[50 + random.nextInt(250)];
        random.nextBytes(payload);
        ByteBuffer record = ByteBuffer.allocate(4 + 8 + payload.length + 4);
        record.putInt(8 + payload.length + 4).putLong(id).put(payload).putInt(crc(id, payload)).flip();
        while (record.hasRemaining()) {
            segment.write(record);
        }
    }

    static int crc(long id, byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(ByteBuffer.allocate(8).putLong(0, id));
        crc.update(payload);
        return (int) crc.getValue();
    }

    /** Reads a segment back: the number of valid records in sequence, and the byte offset where they end. */
    record Scan(long records, long validBytes, long fileBytes) {
    }

    static Scan scan(byte[] data) {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        long records = 0;
        while (buffer.remaining() >= 4) {
            int start = buffer.position();
            int length = buffer.getInt();
            if (length < 12 || length > buffer.remaining()) {
                buffer.position(start);
                break;
            }
            long id = buffer.getLong();
            byte[] payload = new byte[length - 12];
            buffer.get(payload);
            int crc = buffer.getInt();
            if (id != records || crc != crc(id, payload)) {
                buffer.position(start);
                break;
            }
            records++;
        }
        return new Scan(records, buffer.position(), data.length);
    }
}
