package leasekv.wal;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;

/**
 * The Raft write-ahead log: segmented files, a salted CRC32C on every record, group commit.
 *
 * <p>Contract: call {@link #append} and {@link #setHardState} any number of times, then {@link
 * #sync()} once; when sync returns, everything passed before it is on disk (one fdatasync per batch).
 * Acknowledge entries or send a vote only after that. Appending index i when the log already has i
 * replaces i and everything after it (Raft's conflict resolution); the replacement is durable after
 * the next sync, and until then a crash brings back the old suffix, never a mix.
 *
 * <p>{@link #open} recovers: a torn last record is truncated (see {@link #recoveryReport()}); any
 * other damage throws {@link WalCorruptionException} naming the file and byte offset.
 *
 * <p>Thread-safe. Appends and reads take the WAL's lock briefly; the fsync itself runs outside it,
 * so other threads keep appending while a sync is in flight, and their records join the next one.
 */
public final class Wal implements RaftLogView, Closeable {
  private static final int FLUSH_THRESHOLD_BYTES = 1 << 20;

  private final WalOptions options;
  private final WalStats stats = new WalStats();
  private final FsyncTimer fsync;
  private final SegmentAllocator allocator;
  private final RecoveryReport report;
  private final Object syncLock = new Object();

  private final TreeMap<Long, Segment> segments;
  private final LogIndex index;
  private final TreeMap<Long, ConfState> configEntries;
  private final EntryCache cache;
  private final ByteSink pending = new ByteSink();
  private Segment current;
  private SnapshotMeta compaction;
  private HardState hardState;
  private HardState recordedHardState;
  private long durableLastIndex;
  private long truncatedBelowSinceSyncFlush = Long.MAX_VALUE;
  private IOException failure;
  private boolean closed;

  private Wal(WalOptions options, WalRecovery.Recovered r, EntryCache cache) throws IOException {
    this.options = options;
    this.fsync = new FsyncTimer(options.metrics(), stats);
    this.allocator = new SegmentAllocator(options.dir(), options.segmentSizeBytes(), options.preallocation(), fsync);
    this.report = r.report();
    this.segments = r.segments();
    this.cache = cache;
    LogReplay state = r.state();
    this.index = state.index;
    this.configEntries = state.configEntries;
    this.compaction = state.compaction;
    this.hardState = state.hardState;
    this.recordedHardState = state.hardState;
    if (segments.isEmpty()) {
      SegmentStart start = new SegmentStart(false, 0, 0, SnapshotMeta.EMPTY, HardState.EMPTY);
      segments.put(1L, allocator.create(1, start, true));
    }
    this.current = segments.lastEntry().getValue();
    this.durableLastIndex = index.lastIndex();
    allocator.prepareSpareAhead();
  }

  /**
   * Opens (creating if needed) the WAL in {@code options.dir()} and recovers its state.
   *
   * @throws WalCorruptionException when the log is damaged anywhere but a torn tail
   */
  public static Wal open(WalOptions options) throws IOException {
    EntryCache cache = new EntryCache(options.cacheMaxBytes());
    FsyncTimer recoveryFsync = new FsyncTimer(options.metrics(), new WalStats());
    recoveryFsync.createDirectoriesDurably(options.dir());
    return new Wal(options, WalRecovery.recover(options.dir(), recoveryFsync, cache, options.unsafeKeepTornTail()), cache);
  }

  public RecoveryReport recoveryReport() {
    return report;
  }

  public WalStats stats() {
    return stats;
  }

  // ---- writing ----

  /**
   * Adds entries (contiguous indexes, non-decreasing terms) to the next sync batch. An entry at an
   * index the log already has replaces that index and everything after it.
   *
   * @throws IllegalArgumentException for a gap, an index at or below the compaction point, or a
   *     term lower than the preceding entry's
   */
  public synchronized void append(List<Entry> entries) throws IOException {
    checkWritable();
    if (entries.isEmpty()) return;
    validateAppend(entries);
    long first = entries.get(0).index();
    // Roll over (if needed) before truncating: the new segment's start record must describe the log
    // as it is on disk, old suffix included; the first entry record then overwrites that suffix.
    reserve(entryRecordLength(entries.get(0)));
    if (first <= index.lastIndex()) truncateInMemory(first);
    for (Entry e : entries) {
      long offset = reserve(entryRecordLength(e));
      pending.write(RecordCodec.encodeEntry(e, current.salt, (int) current.durableOffset));
      index.append(e.index(), e.term(), LogIndex.position(current.seq, offset), e.data().length);
      if (e.type() == EntryType.CONFIG) configEntries.put(e.index(), ConfState.decode(e.data()));
      cache.put(e);
    }
    if (pending.size() >= FLUSH_THRESHOLD_BYTES) flushPending();
  }

  /** Records the hard state in the next sync batch (only when it changed). */
  public synchronized void setHardState(HardState hs) throws IOException {
    checkWritable();
    hardState = hs;
    if (hs.equals(recordedHardState)) return;
    byte[] probe = RecordCodec.encodeHardState(hs, 0, 0);
    reserve(probe.length);
    pending.write(RecordCodec.encodeHardState(hs, current.salt, (int) current.durableOffset));
    recordedHardState = hs;
  }

  /**
   * Makes everything appended or set before this call durable with one fdatasync (unless the unsafe
   * {@code noFsync} option is on). Concurrent callers are coalesced: a caller whose records were
   * covered by an fsync that another thread ran returns without a second one.
   */
  public void sync() throws IOException {
    synchronized (syncLock) {
      Segment seg;
      long target;
      long lastAtFlush;
      synchronized (this) {
        checkWritable();
        flushPending();
        seg = current;
        target = seg.writtenOffset;
        lastAtFlush = index.lastIndex();
        truncatedBelowSinceSyncFlush = Long.MAX_VALUE;
        if (seg.durableOffset >= target || options.noFsync()) {
          durableLastIndex = lastAtFlush; // noFsync: the unsafe mode's lie
          return;
        }
      }
      try {
        fsync.force(seg.channel, false, FsyncKind.SYNC);
      } catch (IOException e) {
        fail(e);
        throw e;
      }
      synchronized (this) {
        seg.durableOffset = Math.max(seg.durableOffset, target);
        durableLastIndex = Math.max(durableLastIndex, Math.min(lastAtFlush, truncatedBelowSinceSyncFlush));
      }
    }
  }

  /**
   * Compacts the log through {@code upToIndex}: durably records the compaction point (index, its
   * term, the membership as of it), then deletes every whole segment holding only entries at or
   * below it. Does nothing if already compacted that far. The caller passes at most the state
   * machine's durable applied index.
   */
  public void compact(long upToIndex) throws IOException {
    synchronized (this) {
      checkWritable();
      if (upToIndex <= compaction.index()) return;
      if (upToIndex > index.lastIndex()) {
        throw new IllegalArgumentException("cannot compact through " + upToIndex + ": last index is " + index.lastIndex());
      }
      SnapshotMeta point = new SnapshotMeta(upToIndex, index.term(upToIndex), confAt(upToIndex));
      byte[] probe = RecordCodec.encodeCompaction(point, 0, 0);
      reserve(probe.length);
      pending.write(RecordCodec.encodeCompaction(point, current.salt, (int) current.durableOffset));
      compaction = point;
      index.dropThrough(upToIndex);
      configEntries.headMap(upToIndex, true).clear();
      cache.dropThrough(upToIndex);
    }
    sync(); // the compaction point is durable before any segment is deleted
    synchronized (this) {
      deleteSegmentsBefore(firstSegmentNeeded(compaction.index()));
    }
  }

  /**
   * Replaces the whole log by a snapshot's end point: afterwards the log is empty, compacted
   * through {@code meta.index()} with {@code meta.term()} and {@code meta.conf()}, and the commit
   * index is at least {@code meta.index()}. Durable (synced) when this returns.
   */
  public void installSnapshot(SnapshotMeta meta) throws IOException {
    synchronized (syncLock) {
      synchronized (this) {
        checkWritable();
        if (meta.index() < compaction.index()) {
          throw new IllegalArgumentException("snapshot at " + meta.index() + " is older than the compaction point " + compaction.index());
        }
        flushPending();
        HardState hs = new HardState(hardState.term(), hardState.votedFor(), Math.max(hardState.commit(), meta.index()));
        Segment next = allocator.create(current.seq + 1, new SegmentStart(true, meta.index(), meta.term(), meta, hs), false);
        segments.put(next.seq, next);
        current = next;
        compaction = meta;
        index.reset(meta.index() + 1);
        configEntries.clear();
        cache.clear();
        hardState = hs;
        recordedHardState = hs;
        durableLastIndex = meta.index();
        deleteSegmentsBefore(next.seq);
      }
    }
  }

  // ---- reading (RaftLogView) ----

  @Override
  public synchronized long firstIndex() {
    return compaction.index() + 1;
  }

  @Override
  public synchronized long lastIndex() {
    return index.lastIndex();
  }

  /** The last index whose entry (as this log now holds it) is on disk: apply no further. */
  public synchronized long durableLastIndex() {
    return Math.min(durableLastIndex, index.lastIndex());
  }

  @Override
  public synchronized long term(long i) {
    if (i == compaction.index()) return compaction.term();
    if (i < compaction.index()) throw new LogCompactedException(i, compaction.index());
    if (i > index.lastIndex()) throw new LogUnavailableException(i, index.lastIndex());
    return index.term(i);
  }

  @Override
  public synchronized List<Entry> entries(long lo, long hi, long maxBytes) {
    if (lo <= compaction.index()) throw new LogCompactedException(lo, compaction.index());
    if (hi > index.lastIndex() + 1) throw new LogUnavailableException(hi - 1, index.lastIndex());
    List<Entry> out = new ArrayList<>();
    long bytes = 0;
    for (long i = lo; i < hi; i++) {
      bytes += index.dataLength(i) + 24L;
      if (!out.isEmpty() && bytes > maxBytes) break;
      Entry e = cache.get(i);
      out.add(e != null ? e : readFromDisk(i));
    }
    return out;
  }

  @Override
  public synchronized HardState hardState() {
    return hardState;
  }

  @Override
  public synchronized SnapshotMeta compactionPoint() {
    return compaction;
  }

  @Override
  public synchronized ConfState latestConfState() {
    return configEntries.isEmpty() ? compaction.conf() : configEntries.lastEntry().getValue();
  }

  /** Number of segment files the log currently spans. */
  public synchronized int segmentCount() {
    return segments.size();
  }

  @Override
  public void close() throws IOException {
    synchronized (syncLock) {
      synchronized (this) {
        if (closed) return;
        closed = true;
        allocator.close();
        IOException first = null;
        try {
          if (failure == null) { // a clean shutdown leaves nothing unsynced (unless fsync is off)
            flushPending();
            if (!options.noFsync() && current.durableOffset < current.writtenOffset) {
              fsync.force(current.channel, false, FsyncKind.SYNC);
              current.durableOffset = current.writtenOffset;
            }
          }
        } catch (IOException e) {
          first = e;
        }
        for (Segment s : segments.values()) {
          try {
            s.close();
          } catch (IOException e) {
            if (first == null) first = e;
          }
        }
        if (first != null) throw first;
      }
    }
  }

  /** Hands the pending records to the OS without fsyncing: tests use it to leave unsynced bytes on disk. */
  synchronized void writeUnsynced() throws IOException {
    flushPending();
  }

  // ---- internals ----

  private void validateAppend(List<Entry> entries) {
    Entry first = entries.get(0);
    if (first.index() <= compaction.index()) {
      throw new IllegalArgumentException("cannot append index " + first.index() + ": compacted through " + compaction.index());
    }
    if (first.index() > index.lastIndex() + 1) {
      throw new IllegalArgumentException("cannot append index " + first.index() + ": gap after last index " + index.lastIndex());
    }
    long prevTerm = first.index() - 1 == compaction.index() ? compaction.term() : index.term(first.index() - 1);
    long prevIndex = first.index() - 1;
    for (Entry e : entries) {
      if (e.index() != prevIndex + 1) throw new IllegalArgumentException("entries not contiguous at index " + e.index());
      if (e.term() < prevTerm) {
        throw new IllegalArgumentException("entry " + e.index() + " has term " + e.term() + " below the previous " + prevTerm);
      }
      prevIndex = e.index();
      prevTerm = e.term();
    }
  }

  private static int entryRecordLength(Entry e) {
    return RecordCodec.FRAME_BYTES + 17 + e.data().length;
  }

  private void truncateInMemory(long from) {
    index.truncateFrom(from);
    configEntries.tailMap(from, true).clear();
    cache.truncateFrom(from);
    durableLastIndex = Math.min(durableLastIndex, from - 1);
    truncatedBelowSinceSyncFlush = Math.min(truncatedBelowSinceSyncFlush, from - 1);
  }

  /**
   * Makes room for a record of {@code length} bytes, rolling over to a new segment when the current
   * one is full, and returns the offset the record will have in the current segment.
   */
  private long reserve(int length) throws IOException {
    long end = current.writtenOffset + pending.size();
    boolean holdsRecords = end > current.firstRecordOffset;
    if (end + length > options.segmentSizeBytes() && holdsRecords) {
      rollover();
      end = current.writtenOffset;
    }
    return end;
  }

  /**
   * Seals the current segment (written and fsynced whole, so recovery may treat any damage in a
   * sealed segment as corruption) and starts the next one.
   */
  private void rollover() throws IOException {
    flushPending();
    try {
      fsync.force(current.channel, false, FsyncKind.SEAL);
    } catch (IOException e) {
      fail(e);
      throw e;
    }
    current.durableOffset = current.writtenOffset;
    durableLastIndex = index.lastIndex();
    SegmentStart start = new SegmentStart(false, index.lastIndex(), lastTerm(), compaction, hardState);
    Segment next = allocator.create(current.seq + 1, start, false);
    segments.put(next.seq, next);
    current = next;
    recordedHardState = hardState;
  }

  private void flushPending() throws IOException {
    if (pending.size() == 0) return;
    int bytes = pending.size();
    try {
      pending.drainTo(current.channel, current.writtenOffset);
    } catch (IOException e) {
      fail(e);
      throw e;
    }
    current.writtenOffset += bytes;
  }

  private long lastTerm() {
    return index.lastIndex() == compaction.index() ? compaction.term() : index.term(index.lastIndex());
  }

  private ConfState confAt(long i) {
    Map.Entry<Long, ConfState> e = configEntries.floorEntry(i);
    return e != null ? e.getValue() : compaction.conf();
  }

  /** The oldest segment that may hold an entry after {@code compactedThrough}. */
  private long firstSegmentNeeded(long compactedThrough) {
    long needed = current.seq;
    for (Segment s : segments.descendingMap().values()) {
      needed = s.seq;
      if (s.prevIndex <= compactedThrough) break; // this one starts at or before the point: keep it, drop older
    }
    return needed;
  }

  private void deleteSegmentsBefore(long seq) throws IOException {
    List<Segment> old = new ArrayList<>(segments.headMap(seq, false).values());
    if (old.isEmpty()) return;
    for (Segment s : old) { // ascending, so a crash midway leaves a contiguous run
      s.close();
      Files.deleteIfExists(s.path);
      segments.remove(s.seq);
    }
    fsync.forceDirectory(options.dir());
  }

  private Entry readFromDisk(long i) {
    long pos = index.position(i);
    Segment s = segments.get(LogIndex.segmentOf(pos));
    long offset = LogIndex.offsetOf(pos);
    try {
      if (s == current && offset >= current.writtenOffset) flushPending();
      int length = RecordCodec.FRAME_BYTES + 17 + index.dataLength(i);
      ByteBuffer buf = ByteBuffer.allocate(length);
      while (buf.hasRemaining()) {
        if (s.channel.read(buf, offset + buf.position()) < 0) break;
      }
      RecordCodec.RecordHeader h = RecordCodec.readValid(buf, 0, buf.position(), s.salt);
      if (h == null || h.type() != RecordType.ENTRY) {
        throw new WalCorruptionException(s.path, offset, "entry " + i + " no longer reads back intact");
      }
      return RecordCodec.decodeEntry(RecordCodec.payload(buf, 0, h));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void checkWritable() throws IOException {
    if (closed) throw new IOException("WAL is closed");
    if (failure != null) throw new IOException("WAL failed earlier and accepts no more writes", failure);
  }

  /** After a failed write or fsync the page cache may have dropped our data: never write again. */
  private void fail(IOException e) {
    if (failure == null) failure = e;
  }
}
