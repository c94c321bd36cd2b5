package leasekv.fsm;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.SnapshotMeta;
import org.rocksdb.Checkpoint;
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
 * The replicated key-value state machine on RocksDB.
 *
 * <p>Each {@link #apply} call is one WriteBatch holding the data, the applied index and the client
 * de-dup table, all in the default column family: RocksDB recovers its WAL as a prefix of whole
 * batches, so the applied index and the data it covers are never persisted apart, in either sync
 * mode. (A second column family would share the WAL too, but only with the WAL on; one family keeps
 * that true even for a future disableWAL/atomic-flush setup.) In nosync mode a power loss can roll
 * the state back to an older prefix; the node replays the Raft log from {@link #appliedIndex()}+1,
 * and compacts that log only up to {@link #durableAppliedIndex()}.
 *
 * <p>Thread-safety: apply, checkpoint and durability calls from one thread (the apply loop); read
 * views, digests and getters from any thread. {@link #restoreFromCheckpoint} waits for open views.
 */
public final class StateMachine implements Closeable {
  private static final long RESTORE_WAIT_SECONDS = 30;

  static {
    RocksDB.loadLibrary();
  }

  private final FsmOptions options;
  private final FsmDirectory directory;
  private final StampedLock stateLock = new StampedLock();
  private final Object applyLock = new Object();
  private final WriteOptions syncWrite = new WriteOptions().setSync(true);
  private final WriteOptions modeWrite;
  private final ReadOptions plainRead = new ReadOptions();
  private Options dbOptions;
  private Path activeDb;
  private RocksDB db;
  private volatile long appliedIndex;
  private volatile long appliedTerm;
  private volatile ConfState appliedConf;
  private volatile long durableAppliedIndex;
  private boolean closed;

  private StateMachine(FsmOptions options) throws IOException, RocksDBException {
    this.options = options;
    this.directory = new FsmDirectory(options.dir());
    this.modeWrite = new WriteOptions().setSync(options.syncMode() == SyncMode.SYNC);
    this.activeDb = directory.activeDb();
    openDb();
  }

  /**
   * Opens (creating if needed) the state machine and recovers its applied index. The recovered
   * state is synced before this returns, so durableAppliedIndex() == appliedIndex() afterwards.
   */
  public static StateMachine open(FsmOptions options) throws IOException, RocksDBException {
    return new StateMachine(options);
  }

  private void openDb() throws RocksDBException {
    dbOptions = new Options()
        .setCreateIfMissing(true)
        .setManualWalFlush(options.crashLosesUnsyncedWrites())
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setKeepLogFileNum(2);
    db = RocksDB.open(dbOptions, activeDb.toString());
    byte[] applied = db.get(Keys.APPLIED);
    ByteBuffer b = applied == null ? ByteBuffer.allocate(16) : ByteBuffer.wrap(applied);
    appliedIndex = b.getLong();
    appliedTerm = b.getLong();
    byte[] conf = db.get(Keys.CONF);
    appliedConf = conf == null ? null : ConfState.decode(conf);
    db.flushWal(true); // what a process crash left only in the page cache becomes durable now
    durableAppliedIndex = appliedIndex;
  }

  // ---- apply ----

  /**
   * Applies committed entries in order, as one atomic RocksDB write, and returns one result per
   * entry. Entries at or below the applied index are skipped (their result is the recorded one for
   * a tagged command, else {@link ApplyResult#SKIPPED}); NOOP and CONFIG entries only advance the
   * applied index (CONFIG also records the membership). A malformed command yields an ERR result.
   *
   * @throws IllegalArgumentException when the entries leave a gap after the applied index
   */
  public List<ApplyResult> apply(List<Entry> entries) throws RocksDBException {
    long stamp = stateLock.readLock();
    try {
      synchronized (applyLock) {
        checkOpen();
        return applyLocked(entries);
      }
    } finally {
      stateLock.unlockRead(stamp);
    }
  }

  private List<ApplyResult> applyLocked(List<Entry> entries) throws RocksDBException {
    List<ApplyResult> results = new ArrayList<>(entries.size());
    long index = appliedIndex;
    long term = appliedTerm;
    ConfState conf = appliedConf;
    try (BatchApplier batch = new BatchApplier(db, plainRead)) {
      for (Entry e : entries) {
        if (e.index() <= index) {
          results.add(skipped(batch, e));
          continue;
        }
        if (e.index() != index + 1) {
          throw new IllegalArgumentException("cannot apply entry " + e.index() + ": applied index is " + index);
        }
        switch (e.type()) {
          case NORMAL -> results.add(applyCommand(batch, e));
          case NOOP -> results.add(ApplyResult.NONE);
          case CONFIG -> {
            conf = ConfState.decode(e.data());
            batch.put(Keys.CONF, conf.encode());
            results.add(ApplyResult.NONE);
          }
        }
        index = e.index();
        term = e.term();
      }
      if (index == appliedIndex) return results;
      write(batch.batch, Keys.applied(index, term));
    }
    appliedIndex = index;
    appliedTerm = term;
    appliedConf = conf;
    if (options.syncMode() == SyncMode.SYNC || options.unsafeAppliedIndexAheadOfData()) durableAppliedIndex = index;
    return results;
  }

  private void write(WriteBatch data, byte[] applied) throws RocksDBException {
    if (options.unsafeAppliedIndexAheadOfData()) {
      // UNSAFE: the index is made durable first, on its own; a power loss now keeps it but may drop
      // the data below, and replay from applied+1 then skips those entries forever.
      try (WriteBatch indexOnly = new WriteBatch()) {
        indexOnly.put(Keys.APPLIED, applied);
        db.write(syncWrite, indexOnly);
      }
      db.write(modeWrite, data);
      return;
    }
    data.put(Keys.APPLIED, applied);
    db.write(modeWrite, data);
  }

  private static ApplyResult applyCommand(BatchApplier batch, Entry e) throws RocksDBException {
    Command c;
    try {
      c = CommandCodec.decode(e.data());
    } catch (IllegalArgumentException bad) {
      return ApplyResult.error("ERR", "malformed command in entry " + e.index() + ": " + bad.getMessage());
    }
    return batch.execute(c);
  }

  private static ApplyResult skipped(BatchApplier batch, Entry e) throws RocksDBException {
    if (e.type() != leasekv.raft.EntryType.NORMAL) return ApplyResult.SKIPPED;
    try {
      Command c = CommandCodec.decode(e.data());
      ApplyResult recorded = c.tag() == null ? null : batch.recordedResult(c.tag());
      return recorded != null ? recorded : ApplyResult.SKIPPED;
    } catch (IllegalArgumentException bad) {
      return ApplyResult.SKIPPED;
    }
  }

  // ---- durability ----

  /** Index of the last entry whose effect is in the state machine (maybe not yet on disk). */
  public long appliedIndex() {
    return appliedIndex;
  }

  public long appliedTerm() {
    return appliedTerm;
  }

  /** Membership of the last applied CONFIG entry, or null when none was applied. */
  public ConfState appliedConf() {
    return appliedConf;
  }

  /**
   * The applied index known to be on disk: the Raft log may be compacted up to here, never further.
   * In sync mode it follows every apply; in nosync mode it moves on {@link #makeDurable()}.
   */
  public long durableAppliedIndex() {
    return durableAppliedIndex;
  }

  /**
   * Syncs RocksDB's WAL so everything applied so far survives a power loss, and returns the new
   * durable applied index. The applied index is captured before the sync, so it never claims more
   * than the sync covered.
   */
  public long makeDurable() throws RocksDBException {
    long stamp = stateLock.readLock();
    try {
      checkOpen();
      long captured = appliedIndex;
      db.flushWal(true);
      durableAppliedIndex = Math.max(durableAppliedIndex, captured);
      return durableAppliedIndex;
    } finally {
      stateLock.unlockRead(stamp);
    }
  }

  // ---- reads ----

  /** A consistent snapshot view; close it when done. */
  public ReadView readView() throws RocksDBException {
    long stamp = stateLock.readLock();
    try {
      checkOpen();
      return new ReadView(db, () -> stateLock.unlockRead(stamp));
    } catch (RuntimeException | RocksDBException e) {
      stateLock.unlockRead(stamp);
      throw e;
    }
  }

  /** SHA-256 over every key and value in order (data, de-dup table, applied index, membership). */
  public Digest digest() throws RocksDBException {
    long stamp = stateLock.readLock();
    Snapshot snapshot = null;
    try (ReadOptions ro = new ReadOptions()) {
      checkOpen();
      snapshot = db.getSnapshot();
      ro.setSnapshot(snapshot);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      ByteBuffer len = ByteBuffer.allocate(4);
      long applied = 0;
      try (RocksIterator it = db.newIterator(ro)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          byte[] k = it.key();
          byte[] v = it.value();
          if (java.util.Arrays.equals(k, Keys.APPLIED)) applied = ByteBuffer.wrap(v).getLong();
          sha.update(len.putInt(0, k.length).array());
          sha.update(k);
          sha.update(len.putInt(0, v.length).array());
          sha.update(v);
        }
        it.status();
      }
      return new Digest(applied, HexFormat.of().formatHex(sha.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } finally {
      if (snapshot != null) db.releaseSnapshot(snapshot);
      stateLock.unlockRead(stamp);
    }
  }

  // ---- snapshots ----

  /**
   * Writes a checkpoint of the current state to {@code target} (which must not exist): a RocksDB
   * checkpoint plus {@code leasekv-snapshot.meta}, every file and the directory fsynced, and moved
   * into place atomically. Only after this returns may the log be compacted to the returned index.
   *
   * @param confIfNoneApplied the membership to record when no CONFIG entry has been applied yet
   *     (the bootstrap membership from --peers)
   * @return the index, term and membership the checkpoint holds
   */
  public SnapshotMeta createCheckpoint(Path target, ConfState confIfNoneApplied) throws IOException, RocksDBException {
    if (Files.exists(target)) throw new IOException("checkpoint target already exists: " + target);
    Path building = target.resolveSibling(target.getFileName() + ".building");
    FileSync.deleteTree(building);
    long stamp = stateLock.readLock();
    try {
      synchronized (applyLock) { // no apply in between: the checkpoint holds exactly appliedIndex
        checkOpen();
        try (Checkpoint cp = Checkpoint.create(db)) {
          cp.createCheckpoint(building.toString());
        }
        ConfState conf = appliedConf != null ? appliedConf : confIfNoneApplied;
        SnapshotMeta meta = new SnapshotMeta(appliedIndex, appliedTerm, conf);
        SnapshotMetaFile.write(building, meta);
        FileSync.fsyncTree(building);
        Files.move(building, target, StandardCopyOption.ATOMIC_MOVE);
        FileSync.fsync(target.toAbsolutePath().getParent());
        return meta;
      }
    } finally {
      stateLock.unlockRead(stamp);
    }
  }

  /** The metadata of a checkpoint directory (made here or received). */
  public static SnapshotMeta checkpointMeta(Path checkpointDir) throws IOException {
    return SnapshotMetaFile.read(checkpointDir);
  }

  /** A fresh directory, on the state machine's filesystem, to receive a checkpoint into. */
  public Path newStagingDir() throws IOException {
    return directory.newStagingDir();
  }

  /**
   * Atomically replaces the whole state by the checkpoint in {@code checkpointDir} (consumed: it is
   * moved into place). Waits for open read views to close. Durable when it returns; a crash at any
   * point leaves the old or the new state, never a mix.
   *
   * @return the checkpoint's index, term and membership (now the applied ones)
   */
  public SnapshotMeta restoreFromCheckpoint(Path checkpointDir) throws IOException, RocksDBException {
    SnapshotMeta meta = SnapshotMetaFile.read(checkpointDir);
    long stamp;
    try {
      stamp = stateLock.tryWriteLock(RESTORE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for read views to close");
    }
    if (stamp == 0) throw new IOException("read views still open after " + RESTORE_WAIT_SECONDS + " s; restore refused");
    try {
      synchronized (applyLock) {
        checkOpen();
        FileSync.fsyncTree(checkpointDir);
        closeDb();
        activeDb = directory.replaceActive(checkpointDir, activeDb);
        openDb();
        if (appliedIndex != meta.index()) {
          throw new IOException("checkpoint " + checkpointDir + " says index " + meta.index() + " but holds applied index " + appliedIndex);
        }
        return meta;
      }
    } finally {
      stateLock.unlockWrite(stamp);
    }
  }

  /**
   * The metadata of the checkpoint the live state was restored from, if it was (the file moves in
   * with the checkpoint). At startup, if {@link #appliedIndex()} is beyond the WAL's last index, a
   * crash came between {@link #restoreFromCheckpoint} and {@code Wal.installSnapshot}: finish it
   * with this meta.
   */
  public Optional<SnapshotMeta> installedCheckpointMeta() throws IOException {
    if (!Files.exists(activeDb.resolve(SnapshotMetaFile.NAME))) return Optional.empty();
    return Optional.of(SnapshotMetaFile.read(activeDb));
  }

  // ---- lifecycle ----

  /** The live RocksDB directory (for diagnostics). */
  public Path activeDbDir() {
    return activeDb;
  }

  @Override
  public void close() throws IOException {
    long stamp = stateLock.writeLock();
    try {
      if (closed) return;
      closed = true;
      try {
        db.flushWal(true); // a clean shutdown leaves nothing unsynced
      } catch (RocksDBException e) {
        throw new IOException("syncing the state machine at close failed", e);
      } finally {
        closeDb();
        syncWrite.close();
        modeWrite.close();
        plainRead.close();
      }
    } finally {
      stateLock.unlockWrite(stamp);
    }
  }

  private void closeDb() {
    db.close();
    dbOptions.close();
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("state machine is closed");
  }
}
