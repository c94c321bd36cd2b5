package leasekv.fsm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A consistent view of the state machine at one applied index. Cheap to open; close it promptly: it
 * pins the engine's snapshot and blocks a snapshot install until closed. Not thread-safe; use one
 * view per request.
 */
public final class ReadView implements AutoCloseable {
  private final EngineView view;
  private final long appliedIndex;
  private final Runnable onClose;
  private boolean closed;

  ReadView(EngineView view, Runnable onClose) throws IOException {
    this.view = view;
    this.onClose = onClose;
    byte[] applied = view.get(Keys.APPLIED);
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
  public byte[] get(byte[] key) throws IOException {
    checkOpen();
    byte[] stored = view.get(Keys.value(key));
    if (stored == null) return null;
    if (Keys.isList(stored)) throw new WrongTypeException();
    return Keys.stringPayload(stored);
  }

  /** Length of the list at {@code key}; 0 when absent. @throws WrongTypeException for a string */
  public long llen(byte[] key) throws IOException {
    checkOpen();
    byte[] stored = view.get(Keys.value(key));
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
  public List<byte[]> lrange(byte[] key, long start, long stop) throws IOException {
    long length = llen(key);
    if (start < 0) start = Math.max(0, start + length);
    if (stop < 0) stop += length;
    stop = Math.min(stop, length - 1);
    List<byte[]> out = new ArrayList<>();
    if (start > stop) return out;
    long first = start;
    long last = stop;
    view.scan(Keys.element(key, first), (k, v) -> {
      long i = first + out.size();
      if (!Arrays.equals(k, Keys.element(key, i))) return false;
      out.add(v);
      return i < last;
    });
    if (out.size() != last - first + 1) {
      throw new IllegalStateException("list " + Arrays.toString(key) + " is missing element " + (first + out.size())
          + " of " + length);
    }
    return out;
  }

  /** Every key and value in order (for the digest). */
  void scanAll(EngineView.Visitor visitor) throws IOException {
    checkOpen();
    view.scan(null, visitor);
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("read view is closed");
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    view.close();
    onClose.run();
  }
}
