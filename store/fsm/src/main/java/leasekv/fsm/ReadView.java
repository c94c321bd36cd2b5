package leasekv.fsm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * A consistent view of the state machine at one applied index (a RocksDB snapshot). Cheap to open;
 * close it promptly: it pins the snapshot and blocks a snapshot install until closed. Not
 * thread-safe; use one view per request.
 */
public final class ReadView implements AutoCloseable {
  private final RocksDB db;
  private final Snapshot snapshot;
  private final ReadOptions readOptions;
  private final long appliedIndex;
  private final Runnable onClose;
  private boolean closed;

  ReadView(RocksDB db, Runnable onClose) throws RocksDBException {
    this.db = db;
    this.onClose = onClose;
    this.snapshot = db.getSnapshot();
    this.readOptions = new ReadOptions().setSnapshot(snapshot);
    byte[] applied = db.get(readOptions, Keys.APPLIED);
    this.appliedIndex = applied == null ? 0 : ByteBuffer.wrap(applied).getLong();
  }

  /** The index of the last entry whose effect this view includes. */
  public long appliedIndex() {
    return appliedIndex;
  }

  /**
   * The string value, or null when the key is absent.
   *
   * @throws WrongTypeException when the key holds a list
   */
  public byte[] get(byte[] key) throws RocksDBException {
    checkOpen();
    byte[] stored = db.get(readOptions, Keys.value(key));
    if (stored == null) return null;
    if (Keys.isList(stored)) throw new WrongTypeException();
    return Keys.stringPayload(stored);
  }

  /** Length of the list at {@code key}; 0 when absent. @throws WrongTypeException for a string */
  public long llen(byte[] key) throws RocksDBException {
    checkOpen();
    byte[] stored = db.get(readOptions, Keys.value(key));
    if (stored == null) return 0;
    if (!Keys.isList(stored)) throw new WrongTypeException();
    return Keys.listLength(stored);
  }

  /**
   * LRANGE with Redis semantics: indexes are 0-based, negative ones count from the end (-1 is the
   * last), both ends inclusive, out-of-range ends are clamped, an empty range gives an empty list.
   *
   * @throws WrongTypeException when the key holds a string
   */
  public List<byte[]> lrange(byte[] key, long start, long stop) throws RocksDBException {
    long length = llen(key);
    if (start < 0) start = Math.max(0, start + length);
    if (stop < 0) stop += length;
    stop = Math.min(stop, length - 1);
    List<byte[]> out = new ArrayList<>();
    if (start > stop) return out;
    try (RocksIterator it = db.newIterator(readOptions)) {
      it.seek(Keys.element(key, start));
      for (long i = start; i <= stop; i++, it.next()) {
        if (!it.isValid() || !Arrays.equals(it.key(), Keys.element(key, i))) {
          throw new IllegalStateException("list " + Arrays.toString(key) + " is missing element " + i + " of " + length);
        }
        out.add(it.value());
      }
    }
    return out;
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("read view is closed");
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    readOptions.close();
    db.releaseSnapshot(snapshot);
    onClose.run();
  }
}
