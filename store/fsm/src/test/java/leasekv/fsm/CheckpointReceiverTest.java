package leasekv.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.SnapshotMeta;
import leasekv.raft.testing.OpenFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A received checkpoint is accepted only when it is exactly what the sender listed. */
class CheckpointReceiverTest {
  @TempDir Path tmp;
  private static final SnapshotMeta META = new SnapshotMeta(9, 2, new ConfState(List.of("n1", "n2", "n3")));

  /** A receiver holding a valid meta file and a 10-byte data file, written back to front in chunks. */
  private CheckpointReceiver receiverWithFiles() throws IOException {
    Path source = tmp.resolve("source");
    Files.createDirectories(source);
    SnapshotMetaFile.write(source, META);
    Path staging = tmp.resolve("staging");
    Files.createDirectories(staging);
    CheckpointReceiver r = new CheckpointReceiver(staging);
    r.write(SnapshotMetaFile.NAME, 0, Files.readAllBytes(source.resolve(SnapshotMetaFile.NAME)));
    r.write("data", 5, "56789".getBytes(StandardCharsets.US_ASCII));
    r.write("data", 0, "01234".getBytes(StandardCharsets.US_ASCII));
    return r;
  }

  private List<CheckpointFiles.FileInfo> listed(long dataBytes) throws IOException {
    long metaBytes = Files.size(tmp.resolve("source").resolve(SnapshotMetaFile.NAME));
    return List.of(new CheckpointFiles.FileInfo(SnapshotMetaFile.NAME, metaBytes), new CheckpointFiles.FileInfo("data", dataBytes));
  }

  @Test
  void chunksInAnyOrderMakeTheListedFiles() throws Exception {
    CheckpointReceiver r = receiverWithFiles();
    assertEquals(META, r.finish(listed(10)).meta());
    assertEquals("0123456789", Files.readString(r.dir().resolve("data")));
  }

  @Test
  void aFileOfTheWrongSizeIsRefused() throws Exception {
    CheckpointReceiver r = receiverWithFiles();
    IOException e = assertThrows(IOException.class, () -> r.finish(listed(11)));
    assertTrue(e.getMessage().contains("data has 10 bytes, expected 11"), e.getMessage());
  }

  @Test
  void aFileTheSenderDidNotListIsRefused() throws Exception {
    CheckpointReceiver r = receiverWithFiles();
    r.write("extra", 0, new byte[3]);
    IOException e = assertThrows(IOException.class, () -> r.finish(listed(10)));
    assertTrue(e.getMessage().contains("unexpected checkpoint files [extra]"), e.getMessage());
  }

  @Test
  void aNegativeOffsetIsRefusedNamingTheFile() throws Exception {
    CheckpointReceiver r = new CheckpointReceiver(tmp);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.write("data", -1, new byte[1]));
    assertEquals("negative offset -1 for data", e.getMessage());
  }

  @Test
  void onlyPlainFileNamesAreAccepted() {
    for (String bad : new String[] {"/etc/passwd", "\\x", "\0x", "a/b", "a\\b", "a\0", ".", "..", ""}) {
      assertThrows(IllegalArgumentException.class, () -> CheckpointReceiver.checkName(bad), bad);
    }
    assertEquals("000012.sst", CheckpointReceiver.checkName("000012.sst"));
  }

  @Test
  void finishingOrAbortingClosesEveryReceivedFile() throws Exception {
    CheckpointReceiver finished = receiverWithFiles();
    finished.finish(listed(10));
    assertEquals(List.of(), OpenFiles.under(finished.dir()));
    CheckpointReceiver aborted = receiverWithFiles();
    aborted.abort();
    assertEquals(List.of(), OpenFiles.under(tmp.resolve("staging")));
  }
}
