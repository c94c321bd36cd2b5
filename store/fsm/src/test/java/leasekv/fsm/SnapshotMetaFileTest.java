package leasekv.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.SnapshotMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint's metadata file: what it holds round-trips, and damage is refused. */
class SnapshotMetaFileTest {
  @TempDir Path dir;

  @Test
  void anEmptyMembershipRoundTrips() throws Exception {
    SnapshotMeta meta = new SnapshotMeta(3, 1, new ConfState(List.of()));
    SnapshotMetaFile.write(dir, meta);
    assertEquals(meta, SnapshotMetaFile.read(dir));
  }

  @Test
  void aChangedDigitFailsTheCrc() throws Exception {
    SnapshotMetaFile.write(dir, new SnapshotMeta(123, 4, new ConfState(List.of("n1"))));
    Path file = dir.resolve(SnapshotMetaFile.NAME);
    Files.writeString(file, Files.readString(file).replace("index=123", "index=124"));
    IOException e = assertThrows(IOException.class, () -> SnapshotMetaFile.read(dir));
    assertTrue(e.getMessage().contains("fails its CRC"), e.getMessage());
  }

  @Test
  void aFileWithoutItsCrcLineIsRefused() throws Exception {
    Files.writeString(dir.resolve(SnapshotMetaFile.NAME), "index=1\nterm=1\nvoters=n1\n");
    IOException e = assertThrows(IOException.class, () -> SnapshotMetaFile.read(dir));
    assertTrue(e.getMessage().contains("fails its CRC"), e.getMessage());
  }
}
