package leasekv.fsm.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import leasekv.fsm.Checkpoint;
import leasekv.fsm.EngineBatch;
import leasekv.fsm.EngineView;
import leasekv.fsm.KvEngine;
import leasekv.raft.SnapshotMeta;

/**
 * An in-memory {@link KvEngine} with RocksDB's durability contract, for the simulation: written
 * batches are visible at once, a synced batch is durable with every batch before it, and a power
 * loss ({@link #powerLoss}) keeps the durable state plus a random PREFIX of the unsynced batches
 * (RocksDB's WAL recovery). The object is the disk: it outlives the state machine that a crashed
 * process had open over it, and a restarted process opens a new one over it.
 */
public final class MemoryEngine implements KvEngine {
  private static final java.util.Comparator<byte[]> ORDER = Arrays::compareUnsigned;

  private TreeMap<byte[], byte[]> live = new TreeMap<>(ORDER);
  private TreeMap<byte[], byte[]> durable = new TreeMap<>(ORDER);
  private final List<EngineBatch> unsynced = new ArrayList<>();
  private SnapshotMeta restoredFrom;
  private long lostBatches;
  /** Bumped by every change of the live state: a view may only be read while it is unchanged. */
  private long version;

  /** An image of the state, immutable once made. */
  public record MemoryCheckpoint(Map<byte[], byte[]> image, SnapshotMeta meta) implements Checkpoint {
    @Override
    public String toString() {
      return "memory checkpoint " + meta;
    }
  }

  @Override
  public byte[] get(byte[] key) {
    return live.get(key);
  }

  @Override
  public void write(EngineBatch batch, boolean sync) {
    version++;
    applyTo(live, batch);
    unsynced.add(batch);
    if (sync) sync();
  }

  @Override
  public void sync() {
    for (EngineBatch b : unsynced) applyTo(durable, b);
    unsynced.clear();
  }

  /**
   * A view of the live state without a copy. The simulation is single-threaded and the state machine
   * opens, reads and closes a view within one step, so no write can come in between; a view read
   * after a write would be a snapshot bug, and fails loudly instead of reading the newer state.
   */
  @Override
  public EngineView view() {
    TreeMap<byte[], byte[]> image = live;
    long at = version;
    return new EngineView() {
      private void check() {
        if (version != at || live != image) throw new IllegalStateException("a view was read after the state changed");
      }

      @Override
      public byte[] get(byte[] key) {
        check();
        return image.get(key);
      }

      @Override
      public void scan(byte[] from, Visitor visitor) {
        check();
        Map<byte[], byte[]> tail = from == null ? image : image.tailMap(from, true);
        for (Map.Entry<byte[], byte[]> e : tail.entrySet()) {
          if (!visitor.visit(e.getKey(), e.getValue())) return;
        }
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public Checkpoint checkpoint(SnapshotMeta meta) {
    return new MemoryCheckpoint(new TreeMap<>(live), meta);
  }

  @Override
  public void restore(Checkpoint checkpoint) {
    version++;
    if (!(checkpoint instanceof MemoryCheckpoint mc)) {
      throw new IllegalArgumentException("the memory engine restores only memory checkpoints, not " + checkpoint);
    }
    live = new TreeMap<>(ORDER);
    live.putAll(mc.image());
    durable = new TreeMap<>(live);
    unsynced.clear();
    restoredFrom = mc.meta();
  }

  @Override
  public SnapshotMeta restoredFrom() {
    return restoredFrom;
  }

  /**
   * Power loss: the durable state survives with a random prefix of the unsynced batches; the rest
   * is gone. Returns how many batches were lost.
   */
  public int powerLoss(Random random) {
    int kept = random.nextInt(unsynced.size() + 1);
    for (int i = 0; i < kept; i++) applyTo(durable, unsynced.get(i));
    int lost = unsynced.size() - kept;
    lostBatches += lost;
    unsynced.clear();
    live = new TreeMap<>(durable);
    version++;
    return lost;
  }

  public int unsyncedBatches() {
    return unsynced.size();
  }

  public long lostBatches() {
    return lostBatches;
  }

  /** A clean shutdown syncs, as RocksDB's close does. */
  @Override
  public void close() {
    sync();
  }

  private static void applyTo(TreeMap<byte[], byte[]> map, EngineBatch batch) {
    for (EngineBatch.Op op : batch.ops()) {
      if (op.isPut()) {
        map.put(op.key(), op.value());
      } else if (op.isRangeDelete()) {
        map.subMap(op.key(), true, op.rangeEnd(), false).clear();
      } else {
        map.remove(op.key());
      }
    }
  }
}
