package leasekv.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import leasekv.raft.Entry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real power loss on the project's lazyfs (FUSE, keeps unsynced writes in memory): a child JVM
 * writes the WAL and dies, lazyfs drops every unsynced write (data and namespace operations), the
 * mount is remounted, and every synced entry must be there. Nightly only; skipped when the lazyfs
 * jar (lazyfs/target/leasekv-lazyfs.jar, or $LEASEKV_LAZYFS_JAR) or /dev/fuse is missing.
 */
@Tag("slow")
class WalLazyfsPowerLossTest {
  @TempDir Path tmp;

  @Test
  void everySyncedEntrySurvivesRepeatedPowerLoss() throws Exception {
    Path jar = lazyfsJar();
    assumeTrue(jar != null && Files.exists(Path.of("/dev/fuse")), "needs the lazyfs jar and /dev/fuse");
    Path backing = Files.createDirectories(tmp.resolve("backing"));
    Path mount = Files.createDirectories(tmp.resolve("mount"));
    Path control = tmp.resolve("ctl.sock");
    Process fs = mount(jar, backing, mount, control);
    try {
      Path walDir = mount.resolve("wal"); // created inside the test: its own creation must be durable
      long synced = 0;
      for (int round = 1; round <= 3; round++) {
        synced = runChild(walDir, round * 500L);
        ctl(jar, control, "lose-unsynced");
        fs = remount(jar, fs, backing, mount, control);
        try (Wal wal = Wal.open(WalPowerLossChild.options(walDir))) {
          assertTrue(wal.lastIndex() >= synced, "round " + round + ": lost synced entries, last index " + wal.lastIndex());
          assertTrue(wal.lastIndex() <= synced + 25);
          List<Entry> all = wal.entries(1, wal.lastIndex() + 1, Long.MAX_VALUE);
          for (Entry e : all) assertEquals(WalPowerLossChild.entry(e.index()), e);
          System.out.println("round " + round + ": synced " + synced + ", recovered " + wal.lastIndex() + "; " + wal.recoveryReport());
        }
      }
    } finally {
      stop(jar, fs, mount);
    }
  }

  private static Path lazyfsJar() {
    String env = System.getenv("LEASEKV_LAZYFS_JAR");
    if (env != null && Files.exists(Path.of(env))) return Path.of(env);
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path jar = p.resolve("lazyfs/target/leasekv-lazyfs.jar");
      if (Files.exists(jar)) return jar;
    }
    return null;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Process mount(Path jar, Path backing, Path mount, Path control) throws Exception {
    Process p = new ProcessBuilder(java(), "-jar", jar.toString(), "mount", "--backing", backing.toString(),
        "--mount", mount.toString(), "--control", control.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    for (int i = 0; i < 60; i++) {
      if (tryCtl(jar, control, "ping")) return p;
      if (!p.isAlive()) throw new IOException("lazyfs mount exited with " + p.exitValue());
      Thread.sleep(500);
    }
    p.destroyForcibly();
    throw new IOException("lazyfs did not come up");
  }

  private static Process remount(Path jar, Process fs, Path backing, Path mount, Path control) throws Exception {
    stop(jar, fs, mount);
    return mount(jar, backing, mount, control);
  }

  private static void stop(Path jar, Process fs, Path mount) throws Exception {
    fs.destroy(); // SIGTERM: lazyfs unmounts
    if (!fs.waitFor(30, TimeUnit.SECONDS)) fs.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    run(List.of(java(), "-jar", jar.toString(), "umount", "--mount", mount.toString()), 30); // no-op if already gone
  }

  private static void ctl(Path jar, Path control, String command) throws Exception {
    assertTrue(tryCtl(jar, control, command), "lazyfs ctl " + command + " failed");
  }

  private static boolean tryCtl(Path jar, Path control, String command) throws Exception {
    return run(List.of(java(), "-jar", jar.toString(), "ctl", "--control", control.toString(), command), 60) == 0;
  }

  private static int run(List<String> cmd, int timeoutSeconds) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private long runChild(Path walDir, long n) throws Exception {
    Process p = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"), WalPowerLossChild.class.getName(),
        walDir.toString(), Long.toString(n)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    for (String line : out.split("\n")) {
      if (line.startsWith("synced ")) return Long.parseLong(line.substring(7).trim());
    }
    throw new AssertionError("child printed no synced index:\n" + out);
  }

}
