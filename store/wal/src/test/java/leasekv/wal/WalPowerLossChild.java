package leasekv.wal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import leasekv.raft.Entry;

/**
 * Run in a separate JVM by {@link WalLazyfsPowerLossTest}: appends and syncs up to index N in
 * batches of 10, prints "synced N", writes 25 more entries without syncing, then halts.
 * Args: dir N
 */
public final class WalPowerLossChild {
  private WalPowerLossChild() {}

  static Entry entry(long i) {
    return Entry.normal(1 + i / 300, i, ("value-" + i + "-").repeat(10).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static WalOptions options(Path dir) {
    return WalOptions.defaults(dir).withSegmentSizeBytes(64 << 10);
  }

  public static void main(String[] args) throws Exception {
    Wal wal = Wal.open(options(Path.of(args[0])));
    long n = Long.parseLong(args[1]);
    while (wal.lastIndex() < n) {
      List<Entry> batch = new ArrayList<>();
      for (long i = wal.lastIndex() + 1; i <= Math.min(n, wal.lastIndex() + 10); i++) batch.add(entry(i));
      wal.append(batch);
      wal.sync();
    }
    System.out.println("synced " + wal.lastIndex());
    List<Entry> unsynced = new ArrayList<>();
    for (long i = n + 1; i <= n + 25; i++) unsynced.add(entry(i));
    wal.append(unsynced);
    wal.writeUnsynced();
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }
}
