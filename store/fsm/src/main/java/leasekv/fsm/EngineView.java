package leasekv.fsm;

import java.io.IOException;

/** A consistent, read-only view of a {@link KvEngine} at one moment. Not thread-safe; close it promptly. */
public interface EngineView extends AutoCloseable {
  /** Receives keys in order; returns false to stop. */
  @FunctionalInterface
  interface Visitor {
    boolean visit(byte[] key, byte[] value);
  }

  byte[] get(byte[] key) throws IOException;

  /** Visits every key at or after {@code from} (null: from the first), in unsigned byte order. */
  void scan(byte[] from, Visitor visitor) throws IOException;

  @Override
  void close();
}
