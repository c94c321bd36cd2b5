package leasekv.replica;

import java.io.IOException;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import leasekv.raft.LogStorage;
import leasekv.raft.SnapshotMeta;

/**
 * Port: the Raft log on disk (the WAL in the node, a simulated disk in the simulation). The core
 * reads it through {@link LogStorage}; the replica writes it while working off a Ready, on its own
 * thread.
 *
 * <p>Durability contract (rule D3 of docs/rules.md): a write is durable only after a later {@link
 * #sync()} returns, and a sync makes every earlier write durable; a crash keeps the synced state
 * and possibly some prefix of the unsynced writes (a torn last write is cut off on recovery).
 * {@link #installSnapshot} is synced before it returns.
 */
public interface LogStore extends LogStorage {
  /** Appends entries, first discarding every entry at or after the first one's index. */
  void append(List<Entry> entries) throws IOException;

  void setHardState(HardState hardState) throws IOException;

  /** Makes every write so far durable (one fsync for everything a Ready wrote: group commit). */
  void sync() throws IOException;

  /**
   * Replaces the whole log by a snapshot point (a follower installing a leader's snapshot); synced.
   */
  void installSnapshot(SnapshotMeta meta) throws IOException;

  /** Drops entries up to {@code upToIndex}, which becomes the snapshot point. */
  void compact(long upToIndex) throws IOException;

  /** The membership the log defines: the latest CONFIG entry, else the snapshot point's. */
  ConfState latestConfState();
}
