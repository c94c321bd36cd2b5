package leasekv.replica.sim;

import java.util.Arrays;

/**
 * Discrete-event time: actions run in (time, scheduling order), so a seed replays exactly.
 *
 * <p>A binary heap over parallel arrays rather than a {@code PriorityQueue} of records: the
 * simulation schedules a few hundred thousand events per run (most of them timeouts that find
 * their operation long done), and the comparator and one object per event were a fifth of its time.
 */
final class EventLoop {
  private long[] times = new long[1024];
  private long[] orders = new long[1024];
  private Runnable[] actions = new Runnable[1024];
  private int size;
  private long nowNanos;
  private long scheduled;
  private long executed;

  long now() {
    return nowNanos;
  }

  void at(long atNanos, Runnable action) {
    if (size == times.length) grow();
    int i = size++;
    long time = Math.max(atNanos, nowNanos);
    long order = scheduled++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!before(time, order, times[parent], orders[parent])) break;
      move(parent, i);
      i = parent;
    }
    put(i, time, order, action);
  }

  void after(long delayNanos, Runnable action) {
    at(nowNanos + delayNanos, action);
  }

  /** Runs every event up to and including {@code endNanos}; time then stands at {@code endNanos}. */
  void runUntil(long endNanos) {
    while (size > 0 && times[0] <= endNanos) {
      long time = times[0];
      Runnable action = actions[0];
      removeFirst();
      assert time >= nowNanos : "time went back";
      nowNanos = time;
      executed++;
      action.run();
    }
    nowNanos = Math.max(nowNanos, endNanos);
  }

  long executedEvents() {
    return executed;
  }

  private void removeFirst() {
    int last = --size;
    long time = times[last];
    long order = orders[last];
    Runnable action = actions[last];
    actions[last] = null;
    if (last == 0) return;
    int i = 0;
    int half = last >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < last && before(times[right], orders[right], times[child], orders[child])) child = right;
      if (!before(times[child], orders[child], time, order)) break;
      move(child, i);
      i = child;
    }
    put(i, time, order, action);
  }

  private static boolean before(long timeA, long orderA, long timeB, long orderB) {
    return timeA != timeB ? timeA < timeB : orderA < orderB;
  }

  private void move(int from, int to) {
    times[to] = times[from];
    orders[to] = orders[from];
    actions[to] = actions[from];
  }

  private void put(int i, long time, long order, Runnable action) {
    times[i] = time;
    orders[i] = order;
    actions[i] = action;
  }

  private void grow() {
    int capacity = times.length * 2;
    times = Arrays.copyOf(times, capacity);
    orders = Arrays.copyOf(orders, capacity);
    actions = Arrays.copyOf(actions, capacity);
  }
}
