package leasekv.replica;

import java.util.function.Consumer;
import leasekv.fsm.Checkpoint;
import leasekv.raft.Message;

/**
 * Port: the peer network. The node's implementation queues frames on TCP lanes (control,
 * replication, snapshot); the simulation's delays, drops, duplicates, reorders and partitions them.
 */
public interface Transport {
  /**
   * Queues {@code message} for its peer on its lane. Returns false when the peer's queue is full
   * (the message is dropped; Raft tolerates loss).
   */
  boolean send(Message message);

  /**
   * Whether this node's control lane to {@code peer} is connected (the start gate counts these).
   */
  boolean isConnected(String peer);

  /**
   * Streams {@code checkpoint} to {@code install.to()} and then delivers {@code install}; calls
   * {@code done} exactly once, with whether everything was handed over, on any thread. The
   * transport disposes of the checkpoint afterwards.
   */
  void sendSnapshot(Message install, Checkpoint checkpoint, Consumer<Boolean> done);
}
