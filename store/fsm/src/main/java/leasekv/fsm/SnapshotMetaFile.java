package leasekv.fsm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import leasekv.raft.ConfState;
import leasekv.raft.SnapshotMeta;

/**
 * {@code leasekv-snapshot.meta} inside a checkpoint: the index, term and membership the checkpoint
 * holds, as {@code key=value} lines closed by a CRC line, so a receiver can check what it got.
 */
final class SnapshotMetaFile {
  static final String NAME = "leasekv-snapshot.meta";

  private SnapshotMetaFile() {}

  static void write(Path checkpointDir, SnapshotMeta meta) throws IOException {
    String body = "index=" + meta.index() + "\nterm=" + meta.term() + "\nvoters=" + String.join(",", meta.conf().voters()) + "\n";
    Files.writeString(checkpointDir.resolve(NAME), body + "crc32c=" + crc(body) + "\n", StandardCharsets.UTF_8);
  }

  /** @throws IOException naming the file and the problem when it is missing or damaged */
  static SnapshotMeta read(Path checkpointDir) throws IOException {
    Path file = checkpointDir.resolve(NAME);
    if (!Files.exists(file)) throw new IOException("not a leasekv checkpoint: " + file + " is missing");
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int crcAt = text.lastIndexOf("crc32c=");
    if (crcAt < 0 || !text.substring(crcAt).trim().equals("crc32c=" + crc(text.substring(0, crcAt)))) {
      throw new IOException("damaged checkpoint metadata: " + file + " fails its CRC");
    }
    Map<String, String> kv = new HashMap<>();
    for (String line : text.substring(0, crcAt).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) kv.put(line.substring(0, eq), line.substring(eq + 1));
    }
    try {
      String voters = kv.getOrDefault("voters", "");
      return new SnapshotMeta(Long.parseLong(kv.get("index")), Long.parseLong(kv.get("term")),
          new ConfState(voters.isEmpty() ? List.of() : List.of(voters.split(","))));
    } catch (RuntimeException e) {
      throw new IOException("bad checkpoint metadata in " + file + ": " + e.getMessage());
    }
  }

  private static long crc(String s) {
    CRC32C c = new CRC32C();
    c.update(s.getBytes(StandardCharsets.UTF_8));
    return c.getValue();
  }
}
