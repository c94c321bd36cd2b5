package leasekv.fsm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import leasekv.raft.SnapshotMeta;

/**
 * A RocksDB checkpoint: a directory of synced files plus {@code leasekv-snapshot.meta}. The node
 * streams its files to a follower, which receives them into a staging directory ({@link
 * CheckpointReceiver}) and restores from there.
 */
public record DirectoryCheckpoint(Path dir, SnapshotMeta meta) implements Checkpoint {
  public DirectoryCheckpoint {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(meta, "meta");
  }

  /** Deletes the directory; a failure only leaves files the next start removes. */
  @Override
  public void discard() {
    try {
      FileSync.deleteTree(dir);
    } catch (IOException e) {
      System.getLogger("leasekv.snapshot").log(System.Logger.Level.WARNING, "could not delete " + dir + ": " + e);
    }
  }

  /** Reads a checkpoint directory's metadata. @throws IOException when it is missing or damaged */
  public static DirectoryCheckpoint read(Path dir) throws IOException {
    return new DirectoryCheckpoint(dir, SnapshotMetaFile.read(dir));
  }
}
