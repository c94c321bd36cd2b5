package leasekv.fsm;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.SnapshotMeta;

/**
 * The replicated key-value state machine, over a {@link KvEngine} (RocksDB in the node, memory in the
 * simulation: the logic here is the same for both).
 *
 * <p>Each {@link #apply} call is one engine batch holding the data, the applied index and the client
 * de-dup table: the engine recovers a prefix of whole batches, so the applied index and the data it
 * covers are never persisted apart, in either sync mode (durability rules 1-3 of docs/rules.md). In
 * nosync mode a power loss can roll the state back to an older prefix; the replica replays the Raft
 * log from {@link #appliedIndex()}+1, and compacts that log only up to {@link #durableAppliedIndex()}.
 *
 * <p>Thread-safety: apply, checkpoint and durability calls from one thread (the apply lane); read
 * views, digests and getters from any thread. {@link #restoreFromCheckpoint} waits for open views.
 */
public final class StateMachine implements Closeable {
  private static final long RESTORE_WAIT_SECONDS = 30;

  private final KvEngine engine;
  private final SyncMode syncMode;
  private final Set<FsmUnsafe> unsafe;
  private final boolean unsafeAppliedIndexAheadOfData;
  private final StampedLock stateLock = new StampedLock();
  private final Object applyLock = new Object();
  private volatile long appliedIndex;
  private volatile long appliedTerm;
  private volatile ConfState appliedConf;
  private volatile long durableAppliedIndex;
  private boolean closed;

  private StateMachine(KvEngine engine, SyncMode syncMode, Set<FsmUnsafe> unsafe) throws IOException {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.syncMode = Objects.requireNonNull(syncMode, "syncMode");
    this.unsafe = unsafe.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(unsafe));
    this.unsafeAppliedIndexAheadOfData = unsafe.contains(FsmUnsafe.APPLIED_INDEX_AHEAD_OF_DATA);
    loadApplied();
    engine.sync(); // what a process crash left unsynced is durable from here on
    durableAppliedIndex = appliedIndex;
  }

  /**
   * Opens the state machine over {@code engine} and recovers its applied index. The recovered state
   * is synced before this returns, so durableAppliedIndex() == appliedIndex() afterwards.
   *
   * @param unsafeAppliedIndexAheadOfData UNSAFE (mode {@code applied-index-ahead-of-data}): persist the
   *     applied index in a separate synced write before the data batch
   */
  public static StateMachine open(KvEngine engine, SyncMode syncMode, boolean unsafeAppliedIndexAheadOfData)
      throws IOException {
    return open(engine, syncMode,
        unsafeAppliedIndexAheadOfData ? EnumSet.of(FsmUnsafe.APPLIED_INDEX_AHEAD_OF_DATA) : EnumSet.noneOf(FsmUnsafe.class));
  }

  /** Opens the state machine over {@code engine} with the given unsafe behaviour (none in a real store). */
  public static StateMachine open(KvEngine engine, SyncMode syncMode, Set<FsmUnsafe> unsafe) throws IOException {
    return new StateMachine(engine, syncMode, unsafe);
  }

  /** Opens the RocksDB state machine {@code options} describe. */
  public static StateMachine open(FsmOptions options) throws IOException {
    RocksEngine engine = RocksEngine.open(options.dir(), options.crashLosesUnsyncedWrites());
    try {
      return open(engine, options.syncMode(), options.unsafe());
    } catch (IOException | RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  private void loadApplied() throws IOException {
    byte[] applied = engine.get(Keys.APPLIED);
    ByteBuffer b = applied == null ? ByteBuffer.allocate(16) : ByteBuffer.wrap(applied);
    appliedIndex = b.getLong();
    appliedTerm = b.getLong();
    byte[] conf = engine.get(Keys.CONF);
    appliedConf = conf == null ? null : ConfState.decode(conf);
  }

  /** The engine underneath (the node needs RocksDB's staging directories for snapshot transfers). */
  public KvEngine engine() {
    return engine;
  }

  // ---- apply ----

  /**
   * Applies committed entries in order, as one atomic engine write, and returns one result per
   * entry. Entries at or below the applied index are skipped (their result is the recorded one for
   * a tagged command, else {@link ApplyResult#SKIPPED}); NOOP and CONFIG entries only advance the
   * applied index (CONFIG also records the membership). A malformed command yields an ERR result.
   *
   * @throws IllegalArgumentException when the entries leave a gap after the applied index
   */
  public List<ApplyResult> apply(List<Entry> entries) throws IOException {
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

  private List<ApplyResult> applyLocked(List<Entry> entries) throws IOException {
    List<ApplyResult> results = new ArrayList<>(entries.size());
    long index = appliedIndex;
    long term = appliedTerm;
    ConfState conf = appliedConf;
    BatchApplier batch = new BatchApplier(engine, unsafe);
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
    if (batch.dedupBatch != batch.batch && !batch.dedupBatch.isEmpty()) {
      engine.write(batch.dedupBatch, syncMode == SyncMode.SYNC); // UNSAFE dedup-outside-batch: a write of its own
    }
    appliedIndex = index;
    appliedTerm = term;
    appliedConf = conf;
    if (syncMode == SyncMode.SYNC || unsafeAppliedIndexAheadOfData) durableAppliedIndex = index;
    return results;
  }

  private void write(EngineBatch data, byte[] applied) throws IOException {
    boolean sync = syncMode == SyncMode.SYNC;
    if (unsafeAppliedIndexAheadOfData) {
      // UNSAFE: the index is made durable first, on its own; a power loss now keeps it but may drop
      // the data below, and replay from applied+1 then skips those entries forever.
      EngineBatch indexOnly = new EngineBatch();
      indexOnly.put(Keys.APPLIED, applied);
      engine.write(indexOnly, true);
      engine.write(data, sync);
      return;
    }
    data.put(Keys.APPLIED, applied);
    engine.write(data, sync);
  }

  private static ApplyResult applyCommand(BatchApplier batch, Entry e) throws IOException {
    Command c;
    try {
      c = CommandCodec.decode(e.data());
    } catch (IllegalArgumentException bad) {
      return ApplyResult.error("ERR", "malformed command in entry " + e.index() + ": " + bad.getMessage());
    }
    return batch.execute(c);
  }

  private static ApplyResult skipped(BatchApplier batch, Entry e) throws IOException {
    if (e.type() != EntryType.NORMAL) return ApplyResult.SKIPPED;
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

  public SyncMode syncMode() {
    return syncMode;
  }

  /**
   * The applied index known to be on disk: the Raft log may be compacted up to here, never further.
   * In sync mode it follows every apply; in nosync mode it moves on {@link #makeDurable()}.
   */
  public long durableAppliedIndex() {
    return durableAppliedIndex;
  }

  /**
   * Syncs the engine so everything applied so far survives a power loss, and returns the new
   * durable applied index. The applied index is captured before the sync, so it never claims more
   * than the sync covered.
   */
  public long makeDurable() throws IOException {
    long stamp = stateLock.readLock();
    try {
      checkOpen();
      long captured = appliedIndex;
      engine.sync();
      durableAppliedIndex = Math.max(durableAppliedIndex, captured);
      return durableAppliedIndex;
    } finally {
      stateLock.unlockRead(stamp);
    }
  }

  // ---- reads ----

  /** A consistent snapshot view; close it when done. */
  public ReadView readView() throws IOException {
    long stamp = stateLock.readLock();
    EngineView view = null;
    try {
      checkOpen();
      view = engine.view();
      return new ReadView(view, () -> stateLock.unlockRead(stamp));
    } catch (IOException | RuntimeException e) {
      if (view != null) view.close();
      stateLock.unlockRead(stamp);
      throw e;
    }
  }

  /** SHA-256 over every key and value in order (data, de-dup table, applied index, membership). */
  public Digest digest() throws IOException {
    try (ReadView view = readView()) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      ByteBuffer len = ByteBuffer.allocate(4);
      view.scanAll((k, v) -> {
        sha.update(len.putInt(0, k.length).array());
        sha.update(k);
        sha.update(len.putInt(0, v.length).array());
        sha.update(v);
        return true;
      });
      return new Digest(view.appliedIndex(), HexFormat.of().formatHex(sha.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- snapshots ----

  /**
   * A durable checkpoint of the current state holding exactly the applied index (no apply runs in
   * between). Only after this returns may the log be compacted to its index.
   *
   * @param confIfNoneApplied the membership to record when no CONFIG entry has been applied yet
   *     (the bootstrap membership from --peers)
   */
  public Checkpoint createCheckpoint(ConfState confIfNoneApplied) throws IOException {
    long stamp = stateLock.readLock();
    try {
      synchronized (applyLock) {
        checkOpen();
        ConfState conf = appliedConf != null ? appliedConf : confIfNoneApplied;
        return engine.checkpoint(new SnapshotMeta(appliedIndex, appliedTerm, conf));
      }
    } finally {
      stateLock.unlockRead(stamp);
    }
  }

  /**
   * Atomically replaces the whole state by {@code checkpoint} (consumed). Waits for open read views to
   * close. Durable when it returns; a crash at any point leaves the old or the new state, never a mix.
   *
   * @return the checkpoint's index, term and membership (now the applied ones)
   */
  public SnapshotMeta restoreFromCheckpoint(Checkpoint checkpoint) throws IOException {
    SnapshotMeta meta = checkpoint.meta();
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
        engine.restore(checkpoint);
        loadApplied();
        durableAppliedIndex = appliedIndex;
        if (appliedIndex != meta.index()) {
          throw new IOException("checkpoint " + checkpoint + " says index " + meta.index() + " but holds applied index "
              + appliedIndex);
        }
        return meta;
      }
    } finally {
      stateLock.unlockWrite(stamp);
    }
  }

  /**
   * The metadata of the checkpoint the live state was restored from, if it was. At startup, if
   * {@link #appliedIndex()} is beyond the WAL's last index, a crash came between {@link
   * #restoreFromCheckpoint} and the WAL's reset: finish it with this meta.
   */
  public Optional<SnapshotMeta> installedCheckpointMeta() throws IOException {
    return Optional.ofNullable(engine.restoredFrom());
  }

  // ---- lifecycle ----

  @Override
  public void close() throws IOException {
    long stamp = stateLock.writeLock();
    try {
      if (closed) return;
      closed = true;
      engine.close();
    } finally {
      stateLock.unlockWrite(stamp);
    }
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("state machine is closed");
  }
}
