package leasekv.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool check that runs after the options and before anything is built or started. */
class PeerBenchToolsTest {
  @TempDir Path dir;

  @Test
  void namesTheFirstToolThatIsNotAnExecutableOnThePath() throws Exception {
    Path tool = Files.createFile(dir.resolve("redis-server"));
    Files.createFile(dir.resolve("etcd")); // not executable
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
    String path = "/nonexistent:" + dir;
    assertNull(PeerBench.missingTool(List.of("redis-server"), path));
    assertEquals("etcd", PeerBench.missingTool(List.of("redis-server", "etcd"), path));
    assertEquals("redis-server", PeerBench.missingTool(List.of("redis-server"), ""));
  }
}
