package leasekv.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeFilesTest {
  @TempDir Path dir;

  @Test
  void fallocateReservesSpaceOrReportsTheErrnoWithoutThrowing() throws Exception {
    Path f = Files.createFile(dir.resolve("f"));
    int rc = NativeFiles.fallocate(f, 1 << 20);
    if (rc == 0) {
      assertEquals(1 << 20, Files.size(f));
    } else {
      assertTrue(rc > 0 || rc == -1, "errno " + rc); // e.g. EOPNOTSUPP on some FUSE filesystems
    }
    assertNotEquals(0, NativeFiles.fallocate(dir.resolve("missing"), 4096), "ENOENT comes back as an errno");
  }
}
