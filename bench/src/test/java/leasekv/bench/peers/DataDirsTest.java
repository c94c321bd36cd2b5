package leasekv.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A benchmark leaves its systems' logs behind, not their data. */
class DataDirsTest {
  @TempDir Path root;

  @Test
  void deletesTheDataAndKeepsTheLogs() throws Exception {
    Files.createDirectories(root.resolve("n1/fsm"));
    Files.createDirectories(root.resolve("n2/wal"));
    Files.writeString(root.resolve("n1.log"), "node log");
    Files.writeString(root.resolve("n1/fsm/000001.sst"), "data");
    Files.writeString(root.resolve("n1/fsm/LOG"), "rocksdb's own log has no .log suffix: data");
    Files.writeString(root.resolve("n2/wal/00000001.wal"), "data");
    Files.writeString(root.resolve("n1/fsm/000004.log"), "RocksDB's WAL: data, despite its name");
    Files.writeString(root.resolve("redis.log"), "server log");

    DataDirs.deleteAllButLogs(root);

    assertEquals("node log", Files.readString(root.resolve("n1.log")));
    assertEquals("server log", Files.readString(root.resolve("redis.log")));
    assertFalse(Files.exists(root.resolve("n1")), "data directories go, with RocksDB's *.log WAL");
    assertFalse(Files.exists(root.resolve("n2")));
    assertTrue(Files.isDirectory(root), "the root itself stays");
  }
}
