package leasekv.lazyfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Small file operations the tests compose, spelled the way applications do them. */
final class FileOps {
    private FileOps() {
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /** Creates or truncates {@code file}, writes {@code text}, fsyncs it when {@code fsync}. */
    static void write(Path file, String text, boolean fsync) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, bytes(text), 0);
            if (fsync) {
                ch.force(true);
            }
        }
    }

    /** Writes {@code text} at {@code offset} of an existing file; fsyncs when {@code fsync}. */
    static void writeAt(Path file, long offset, String text, boolean fsync) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writeFully(ch, bytes(text), offset);
            if (fsync) {
                ch.force(true);
            }
        }
    }

    static void writeFully(FileChannel ch, byte[] data, long offset) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            offset += ch.write(buffer, offset);
        }
    }

    static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** fsync(2) of a directory: Linux allows it on a descriptor opened read-only. */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
