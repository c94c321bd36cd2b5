package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import leasekv.replica.UnsafeModes;
import leasekv.wal.Wal;
import leasekv.wal.WalOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/store} refuses bad configurations and damaged storage with one clear line. */
class MainTest {
  @TempDir Path dir;

  private record Outcome(int status, String err) {}

  private Outcome run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new Outcome(status, bytes.toString(StandardCharsets.UTF_8));
  }

  private String[] args(String... extra) {
    Stream<String> base = Stream.of("--id", "n1", "--peers", "n1=127.0.0.1:1:2", "--data-dir", dir.toString(),
        "--metrics-addr", "127.0.0.1:0");
    return Stream.concat(base, Stream.of(extra)).toArray(String[]::new);
  }

  private void assertRefused(Outcome o, int status, String... phrases) {
    assertEquals(status, o.status(), o.err());
    for (String p : phrases) assertTrue(o.err().contains(p), "expected '" + p + "' in: " + o.err());
  }

  @Test
  void namesTheBadOption() {
    assertRefused(run("--id", "n9", "--peers", "n1=h:1:2"), 2, "--id n9 is not one of --peers");
    assertRefused(run("--id", "n1", "--peers", "n1=h:99999:2"), 2, "not a port");
    assertRefused(run("--id", "n1", "--peers", "n1=h:1"), 2, "id=host:peerPort:clientPort");
    assertRefused(run(args("--read-mode", "fast")), 2, "--read-mode must be 'lease' or 'read-index'");
    assertRefused(run(args("--fsm-sync-mode", "maybe")), 2, "--fsm-sync-mode");
    assertRefused(run(args("--tick-ms", "0")), 2, "--tick-ms must be positive");
    assertRefused(run(args("--election-timeout-ms", "1005")), 2, "--election-timeout-ms must be a multiple");
    assertRefused(run(args("--clock-drift-bound", "1.5")), 2, "--clock-drift-bound");
    assertRefused(run(args("--lease-ms", "5000")), 2, "leaseNanos=5000000000 is unsafe");
    assertRefused(run(args("--tick-ms", "abc")), 2, "--tick-ms");
    assertRefused(run(args("--no-such-option")), 2, "Unknown option");
  }

  @Test
  void unsafeModesNeedTestHooksAndKnownNames() {
    assertRefused(run(args("--unsafe", "no-lease-check")), 2, "needs --test-hooks");
    assertRefused(run(args("--test-hooks", "--unsafe", "fast-reads")), 2, "unknown mode 'fast-reads'",
        "lease-from-ack-receipt", "wal-no-fsync");
  }

  @Test
  void helpListsEveryUnsafeMode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, Main.run(new String[] {"--help"}, System.err));
    } finally {
      System.setOut(saved);
    }
    String help = out.toString(StandardCharsets.UTF_8);
    for (String mode : UnsafeModes.knownNames().split(", ")) assertTrue(help.contains(mode), mode + " missing from --help");
  }

  @Test
  void aCorruptWalRefusesToStartNamingFileAndOffset() throws Exception {
    Path walDir = dir.resolve("wal");
    try (Wal wal = Wal.open(WalOptions.defaults(walDir))) {
      for (long i = 1; i <= 20; i++) wal.append(List.of(Entry.normal(1, i, ("value-" + i).getBytes())));
      wal.setHardState(new HardState(1, "n1", 20));
      wal.sync();
    }
    Path segment;
    try (Stream<Path> files = Files.list(walDir)) {
      segment = files.filter(p -> p.getFileName().toString().endsWith(".wal")).sorted().findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(segment);
    int middle = indexOf(bytes, "value-10".getBytes());
    bytes[middle] ^= 0x40; // one flipped bit in the middle of the log, followed by intact records
    Files.write(segment, bytes);
    Outcome o = run(args());
    assertRefused(o, 3, "refusing to start", segment.getFileName().toString(), "offset");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return i;
    }
    throw new AssertionError("pattern not found");
  }
}
