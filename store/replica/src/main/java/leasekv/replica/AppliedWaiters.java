package leasekv.replica;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Callbacks waiting for the state machine to reach an applied index (reads waiting for their fence,
 * lease rule L9 of docs/rules.md). A callback runs on the thread that releases it: the caller of
 * {@link #whenApplied} if the index is already reached, else the apply lane right after the batch
 * that reached it.
 */
final class AppliedWaiters {
  private record Waiter(long index, long order, Runnable callback) {}

  private final PriorityQueue<Waiter> waiting =
      new PriorityQueue<>(
          (a, b) ->
              a.index != b.index ? Long.compare(a.index, b.index) : Long.compare(a.order, b.order));
  private long applied;
  private long order;

  AppliedWaiters(long appliedIndex) {
    this.applied = appliedIndex;
  }

  void whenApplied(long index, Runnable callback) {
    synchronized (this) {
      if (index > applied) {
        waiting.add(new Waiter(index, order++, callback));
        return;
      }
    }
    callback.run();
  }

  /** The state machine reached {@code index}: runs every callback waiting for it or less. */
  void release(long index) {
    List<Runnable> ready = new ArrayList<>();
    synchronized (this) {
      if (index > applied) applied = index;
      while (!waiting.isEmpty() && waiting.peek().index <= applied)
        ready.add(waiting.poll().callback);
    }
    for (Runnable r : ready) r.run();
  }

  synchronized long applied() {
    return applied;
  }

  synchronized int waiting() {
    return waiting.size();
  }
}
