package leasekv.fsm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import leasekv.raft.SnapshotMeta;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The {@link KvEngine} the node runs: one RocksDB in the state machine's directory, everything in the
 * default column family with RocksDB's WAL on. RocksDB recovers its WAL as a prefix of whole batches,
 * which is the contract {@link KvEngine} asks for. (A second column family would share the WAL too,
 * but only with the WAL on; one family keeps that true even for a future disableWAL/atomic-flush setup.)
 */
public final class RocksEngine implements KvEngine {
  static {
    RocksDB.loadLibrary();
  }

  private final FsmDirectory directory;
  private final boolean crashLosesUnsyncedWrites;
  private final WriteOptions syncWrite = new WriteOptions().setSync(true);
  private final WriteOptions plainWrite = new WriteOptions().setSync(false);
  private final ReadOptions plainRead = new ReadOptions();
  private Options dbOptions;
  private Path activeDb;
  private RocksDB db;

  /**
   * Opens (creating if needed) the RocksDB in {@code dir}. What a process crash left only in the page
   * cache is synced before this returns.
   *
   * @param crashLosesUnsyncedWrites for crash tests only: RocksDB keeps unsynced WAL writes in process
   *     memory (manual WAL flush) until a sync, so killing the process loses them as a power loss would
   */
  public static RocksEngine open(Path dir, boolean crashLosesUnsyncedWrites) throws IOException {
    return new RocksEngine(dir, crashLosesUnsyncedWrites);
  }

  private RocksEngine(Path dir, boolean crashLosesUnsyncedWrites) throws IOException {
    this.directory = new FsmDirectory(dir);
    this.crashLosesUnsyncedWrites = crashLosesUnsyncedWrites;
    this.activeDb = directory.activeDb();
    openDb();
  }

  private void openDb() throws IOException {
    dbOptions = new Options()
        .setCreateIfMissing(true)
        .setManualWalFlush(crashLosesUnsyncedWrites)
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setKeepLogFileNum(2);
    try {
      db = RocksDB.open(dbOptions, activeDb.toString());
      db.flushWal(true); // what a process crash left only in the page cache becomes durable now
    } catch (RocksDBException e) {
      dbOptions.close();
      throw new IOException("cannot open RocksDB in " + activeDb + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] get(byte[] key) throws IOException {
    try {
      return db.get(plainRead, key);
    } catch (RocksDBException e) {
      throw new IOException(e);
    }
  }

  @Override
  public void write(EngineBatch batch, boolean sync) throws IOException {
    try (WriteBatch wb = new WriteBatch()) {
      for (EngineBatch.Op op : batch.ops()) {
        if (op.isPut()) wb.put(op.key(), op.value());
        else if (op.isRangeDelete()) wb.deleteRange(op.key(), op.rangeEnd());
        else wb.delete(op.key());
      }
      db.write(sync ? syncWrite : plainWrite, wb);
    } catch (RocksDBException e) {
      throw new IOException(e);
    }
  }

  @Override
  public void sync() throws IOException {
    try {
      db.flushWal(true);
    } catch (RocksDBException e) {
      throw new IOException(e);
    }
  }

  @Override
  public EngineView view() {
    return new RocksView(db);
  }

  /** A fresh directory, on the state machine's filesystem, to receive a checkpoint into. */
  public Path newStagingDir() throws IOException {
    return directory.newStagingDir();
  }

  /** A checkpoint in a new staging directory (deleted at the next start if nobody moves or discards it). */
  @Override
  public DirectoryCheckpoint checkpoint(SnapshotMeta meta) throws IOException {
    Path target = directory.newStagingDir();
    Files.delete(target); // a fresh unique name; RocksDB makes the directory itself
    return checkpointTo(target, meta);
  }

  /**
   * Writes a checkpoint to {@code target} (which must not exist): a RocksDB checkpoint plus the meta
   * file, every file and the directory fsynced, moved into place atomically.
   */
  public DirectoryCheckpoint checkpointTo(Path target, SnapshotMeta meta) throws IOException {
    if (Files.exists(target)) throw new IOException("checkpoint target already exists: " + target);
    Path building = target.resolveSibling(target.getFileName() + ".building");
    FileSync.deleteTree(building);
    try (org.rocksdb.Checkpoint cp = org.rocksdb.Checkpoint.create(db)) {
      cp.createCheckpoint(building.toString());
    } catch (RocksDBException e) {
      throw new IOException("RocksDB checkpoint into " + building + " failed: " + e.getMessage(), e);
    }
    SnapshotMetaFile.write(building, meta);
    FileSync.fsyncTree(building);
    Files.move(building, target, StandardCopyOption.ATOMIC_MOVE);
    FileSync.fsync(target.toAbsolutePath().getParent());
    return new DirectoryCheckpoint(target, meta);
  }

  /** Moves the checkpoint's directory into place (consumed) as the live database. */
  @Override
  public void restore(Checkpoint checkpoint) throws IOException {
    if (!(checkpoint instanceof DirectoryCheckpoint dc)) {
      throw new IllegalArgumentException("RocksDB restores only directory checkpoints, not " + checkpoint);
    }
    SnapshotMetaFile.read(dc.dir()); // refuses a directory that is not a whole checkpoint
    FileSync.fsyncTree(dc.dir());
    closeDb();
    activeDb = directory.replaceActive(dc.dir(), activeDb);
    openDb();
  }

  @Override
  public SnapshotMeta restoredFrom() throws IOException {
    if (!Files.exists(activeDb.resolve(SnapshotMetaFile.NAME))) return null;
    return SnapshotMetaFile.read(activeDb);
  }

  /** The live RocksDB directory (for diagnostics). */
  public Path activeDbDir() {
    return activeDb;
  }

  @Override
  public void close() throws IOException {
    try {
      db.flushWal(true); // a clean shutdown leaves nothing unsynced
    } catch (RocksDBException e) {
      throw new IOException("syncing the state machine at close failed", e);
    } finally {
      closeDb();
      syncWrite.close();
      plainWrite.close();
      plainRead.close();
    }
  }

  private void closeDb() {
    db.close();
    dbOptions.close();
  }

  /** A RocksDB snapshot with its read options. */
  private static final class RocksView implements EngineView {
    private final RocksDB db;
    private final Snapshot snapshot;
    private final ReadOptions readOptions;
    private boolean closed;

    RocksView(RocksDB db) {
      this.db = db;
      this.snapshot = db.getSnapshot();
      this.readOptions = new ReadOptions().setSnapshot(snapshot);
    }

    @Override
    public byte[] get(byte[] key) throws IOException {
      try {
        return db.get(readOptions, key);
      } catch (RocksDBException e) {
        throw new IOException(e);
      }
    }

    @Override
    public void scan(byte[] from, Visitor visitor) throws IOException {
      try (RocksIterator it = db.newIterator(readOptions)) {
        if (from == null) it.seekToFirst(); else it.seek(from);
        for (; it.isValid(); it.next()) {
          if (!visitor.visit(it.key(), it.value())) break;
        }
        it.status();
      } catch (RocksDBException e) {
        throw new IOException(e);
      }
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      readOptions.close();
      db.releaseSnapshot(snapshot);
    }
  }
}
