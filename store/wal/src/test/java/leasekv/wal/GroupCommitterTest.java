package leasekv.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import leasekv.raft.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitterTest {
  @TempDir Path dir;

  @Test
  void concurrentWritersShareFsyncsAndEverythingAcknowledgedIsDurable() throws Exception {
    int threads = 8;
    int perThread = 50;
    List<Long> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
    long syncs;
    try (Wal wal = Wal.open(WalOptions.defaults(dir).withSegmentSizeBytes(1 << 20));
        GroupCommitter committer = new GroupCommitter(wal)) {
      Object appendOrder = new Object(); // indexes must be appended in order, as the Raft loop does
      long[] next = {1};
      CountDownLatch done = new CountDownLatch(threads);
      for (int t = 0; t < threads; t++) {
        new Thread(() -> {
          try {
            for (int i = 0; i < perThread; i++) {
              long index;
              synchronized (appendOrder) {
                index = next[0]++;
                wal.append(List.of(WalTestSupport.entry(1, index)));
              }
              CompletableFuture<Void> f = committer.syncAsync();
              f.get(30, TimeUnit.SECONDS);
              assertTrue(wal.durableLastIndex() >= index);
              acknowledged.add(index);
            }
          } catch (Exception e) {
            throw new RuntimeException(e);
          } finally {
            done.countDown();
          }
        }).start();
      }
      assertTrue(done.await(60, TimeUnit.SECONDS));
      syncs = wal.stats().fsyncCount(FsyncKind.SYNC);
    }
    assertEquals(threads * perThread, acknowledged.size());
    assertTrue(syncs < threads * perThread, "no coalescing: " + syncs + " fsyncs");
    try (Wal wal = Wal.open(WalOptions.defaults(dir).withSegmentSizeBytes(1 << 20))) {
      List<Entry> all = wal.entries(1, threads * perThread + 1, Long.MAX_VALUE);
      assertEquals(WalTestSupport.entries(1, 1, threads * perThread), all);
    }
    System.out.println("group commit: " + threads * perThread + " acknowledged appends, " + syncs + " fsyncs");
  }
}
