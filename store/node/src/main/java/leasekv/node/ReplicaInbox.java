package leasekv.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import leasekv.replica.Inbox;
import leasekv.replica.Replica;
import leasekv.server.ErrorWord;
import leasekv.server.KvException;

/**
 * The queue of work for the replica's thread ({@link RaftLoop}). Other threads post tasks that take
 * the replica as their argument, so the transport and the RESP service need only this queue, not
 * the replica, and the node is built in one pass. The replica's own posts ({@link #asPort()}) go
 * through the same queue, in order.
 */
final class ReplicaInbox {
  private static final int CAPACITY = 200_000;

  private final LinkedBlockingQueue<Consumer<Replica>> queue = new LinkedBlockingQueue<>(CAPACITY);

  /** Queues {@code task} for the replica's thread; false when the queue is full. */
  boolean post(Consumer<Replica> task) {
    return queue.offer(task);
  }

  /** Runs {@code work} on the replica's thread; the future fails with BUSY if the queue is full. */
  <T> CompletableFuture<T> call(Function<Replica, CompletableFuture<T>> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    boolean queued =
        post(
            replica -> {
              try {
                work.apply(replica)
                    .whenComplete(
                        (v, e) -> {
                          if (e != null) result.completeExceptionally(e);
                          else result.complete(v);
                        });
              } catch (RuntimeException e) {
                result.completeExceptionally(e);
              }
            });
    if (!queued)
      result.completeExceptionally(
          new KvException(ErrorWord.BUSY, "the node's request queue is full"));
    return result;
  }

  /** The replica's {@link Inbox} port: its own tasks, queued like everyone else's. */
  Inbox asPort() {
    return task -> queue.offer(replica -> task.run());
  }

  Consumer<Replica> poll() {
    return queue.poll();
  }

  Consumer<Replica> poll(long timeoutNanos) throws InterruptedException {
    return queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
  }
}
