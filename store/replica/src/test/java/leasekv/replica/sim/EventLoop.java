package leasekv.replica.sim;

import java.util.PriorityQueue;

/** Discrete-event time: actions run in (time, scheduling order), so a seed replays exactly. */
final class EventLoop {
  private record Event(long atNanos, long order, Runnable action) {}

  private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) ->
      a.atNanos != b.atNanos ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.order, b.order));
  private long nowNanos;
  private long scheduled;
  private long executed;

  long now() {
    return nowNanos;
  }

  void at(long atNanos, Runnable action) {
    queue.add(new Event(Math.max(atNanos, nowNanos), scheduled++, action));
  }

  void after(long delayNanos, Runnable action) {
    at(nowNanos + delayNanos, action);
  }

  /** Runs every event up to and including {@code endNanos}; time then stands at {@code endNanos}. */
  void runUntil(long endNanos) {
    while (!queue.isEmpty() && queue.peek().atNanos <= endNanos) {
      Event e = queue.poll();
      nowNanos = e.atNanos;
      executed++;
      e.action.run();
    }
    nowNanos = Math.max(nowNanos, endNanos);
  }

  long executedEvents() {
    return executed;
  }
}
