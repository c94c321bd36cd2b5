package leasekv.fsm;

import java.io.IOException;
import leasekv.fsm.testing.MemoryEngine;
import leasekv.raft.SnapshotMeta;

/**
 * A memory engine that counts the views it opened and closed and can be told to fail a view's first
 * read, for the state machine's bookkeeping around its engine.
 */
final class CountingEngine implements KvEngine {
  final MemoryEngine memory = new MemoryEngine();
  int viewsOpened;
  int viewsClosed;
  boolean failViewReads;

  @Override public byte[] get(byte[] key) { return memory.get(key); }
  @Override public void write(EngineBatch batch, boolean sync) { memory.write(batch, sync); }
  @Override public void sync() { memory.sync(); }
  @Override public Checkpoint checkpoint(SnapshotMeta meta) { return memory.checkpoint(meta); }
  @Override public void restore(Checkpoint checkpoint) { memory.restore(checkpoint); }
  @Override public SnapshotMeta restoredFrom() { return memory.restoredFrom(); }
  @Override public void close() { memory.close(); }

  @Override
  public EngineView view() {
    EngineView inner = memory.view();
    viewsOpened++;
    return new EngineView() {
      @Override
      public byte[] get(byte[] key) throws IOException {
        if (failViewReads) throw new IOException("injected view read failure");
        return inner.get(key);
      }

      @Override
      public void scan(byte[] from, Visitor visitor) throws IOException {
        inner.scan(from, visitor);
      }

      @Override
      public void close() {
        viewsClosed++;
        inner.close();
      }
    };
  }
}
