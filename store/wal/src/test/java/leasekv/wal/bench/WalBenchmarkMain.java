package leasekv.wal.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import leasekv.raft.Entry;
import leasekv.wal.FsyncKind;
import leasekv.wal.Preallocation;
import leasekv.wal.Wal;
import leasekv.wal.WalOptions;

/**
 * WAL figures (not a test): append one 100-byte entry + sync, single writer, per preallocation
 * mode; then 16 writers that each sync after their append (the WAL coalesces concurrent syncs). Prints ops/s and fsync latency percentiles.
 * Run: {@code mvn -B -q -pl store/wal -am test-compile && mvn -B -q -pl store/wal exec:exec@wal-bench}.
 * System property {@code bench.seconds} (default 5) sets each run's length; {@code bench.dir} the
 * directory (default java.io.tmpdir, which must be on the disk under test).
 */
public final class WalBenchmarkMain {
  private WalBenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    long seconds = Long.getLong("bench.seconds", 5);
    Path base = Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir")));
    for (Preallocation mode : Preallocation.values()) singleWriter(base, mode, seconds);
    groupCommit(base, 16, seconds);
  }

  private static void singleWriter(Path base, Preallocation mode, long seconds) throws Exception {
    Path dir = Files.createTempDirectory(base, "wal-bench-");
    ConcurrentLinkedQueue<Long> syncNanos = new ConcurrentLinkedQueue<>();
    WalOptions options = WalOptions.defaults(dir).withPreallocation(mode)
        .withMetrics((kind, nanos) -> { if (kind == FsyncKind.SYNC) syncNanos.add(nanos); });
    long ops = 0;
    try (Wal wal = Wal.open(options)) {
      Thread.sleep(1000); // let the background spare preparation finish
      byte[] data = new byte[100];
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        wal.append(List.of(Entry.normal(1, wal.lastIndex() + 1, data)));
        wal.sync();
        ops++;
      }
    } finally {
      delete(dir);
    }
    System.out.printf("single writer, %-9s: %7.0f appends+syncs/s, fsync %s%n", mode, ops / (double) seconds, percentiles(syncNanos));
  }

  private static void groupCommit(Path base, int writers, long seconds) throws Exception {
    Path dir = Files.createTempDirectory(base, "wal-bench-");
    AtomicLong acked = new AtomicLong();
    long fsyncs;
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      Thread.sleep(1000);
      Object order = new Object();
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      CountDownLatch done = new CountDownLatch(writers);
      byte[] data = new byte[100];
      for (int t = 0; t < writers; t++) {
        new Thread(() -> {
          try {
            while (System.nanoTime() < end) {
              synchronized (order) {
                wal.append(List.of(Entry.normal(1, wal.lastIndex() + 1, data)));
              }
              wal.sync(); // concurrent callers share one fsync
              acked.incrementAndGet();
            }
          } catch (Exception e) {
            e.printStackTrace();
          } finally {
            done.countDown();
          }
        }).start();
      }
      done.await();
      fsyncs = wal.stats().fsyncCount(FsyncKind.SYNC);
    } finally {
      delete(dir);
    }
    System.out.printf("group commit, %d writers: %7.0f acknowledged appends/s with %.0f fsyncs/s%n",
        writers, acked.get() / (double) seconds, fsyncs / (double) seconds);
  }

  private static String percentiles(ConcurrentLinkedQueue<Long> nanos) {
    long[] v = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    if (v.length == 0) return "n/a";
    return String.format("p50 %d us, p99 %d us", v[v.length / 2] / 1000, v[(int) (v.length * 0.99)] / 1000);
  }

  private static void delete(Path dir) throws Exception {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

}
