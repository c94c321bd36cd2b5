package leasekv.wal;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Optional asynchronous group commit: many threads append and then ask for durability; one
 * background thread runs {@link Wal#sync()} for all of them at once, so N concurrent writers cost
 * one fdatasync instead of N. The simple contract (append, then sync) stays available.
 */
public final class GroupCommitter implements Closeable {
  private final Wal wal;
  private final Thread thread;
  private final Object lock = new Object();
  private List<CompletableFuture<Void>> waiting = new ArrayList<>();
  private boolean closed;

  public GroupCommitter(Wal wal) {
    this.wal = wal;
    this.thread = new Thread(this::run, "wal-group-commit");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Completes once everything appended to the WAL before this call is durable. */
  public CompletableFuture<Void> syncAsync() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (lock) {
      if (closed) {
        f.completeExceptionally(new IOException("group committer is closed"));
        return f;
      }
      waiting.add(f);
      lock.notifyAll();
    }
    return f;
  }

  private void run() {
    while (true) {
      List<CompletableFuture<Void>> batch;
      synchronized (lock) {
        while (waiting.isEmpty() && !closed) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            closed = true;
          }
        }
        if (waiting.isEmpty()) return;
        batch = waiting;
        waiting = new ArrayList<>();
      }
      // Every waiter in the batch appended before it enqueued, so this sync's flush covers them all.
      try {
        wal.sync();
        batch.forEach(f -> f.complete(null));
      } catch (Throwable t) {
        batch.forEach(f -> f.completeExceptionally(t));
      }
    }
  }

  /** Stops after completing every request already made. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
