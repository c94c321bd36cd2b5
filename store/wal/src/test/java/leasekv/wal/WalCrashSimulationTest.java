package leasekv.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power-loss simulation. The disk image is copied at every fsync the WAL makes (the listener runs
 * right after each one), so the copy holds at least everything synced. A crash then keeps or loses
 * each 512-byte sector written since, at random, and may lose the file growth. The recovered log
 * must be the synced log plus some prefix of the unsynced records: a synced entry is never lost,
 * and nothing half-written or out of order appears.
 */
class WalCrashSimulationTest {
  @TempDir Path tmp;

  private Map<String, byte[]> image = new HashMap<>();
  private Path liveDir;

  @ParameterizedTest
  @EnumSource(value = Preallocation.class, names = {"ZERO_FILL", "NONE"})
  void syncedEntriesSurviveEveryCrash(Preallocation mode) throws Exception {
    long seed = Long.getLong("walCrashSeed", System.nanoTime()); // rerun a failure with -DwalCrashSeed=N
    Random rnd = new Random(seed);
    TreeMap<Long, Entry> model = new TreeMap<>(); // the log as synced
    long compactedThrough = 0;
    HardState hs = HardState.EMPTY;
    long term = 1;
    int torn = 0;
    for (int round = 0; round < 40; round++) {
      liveDir = tmp.resolve(mode + "-" + round);
      if (round > 0) copyImage(tmp.resolve(mode + "-" + (round - 1) + "-crashed"), liveDir);
      image = new HashMap<>();
      WalOptions options = WalTestSupport.small(liveDir, mode).withMetrics((kind, nanos) -> snapshotImage());
      List<List<Entry>> unsynced = new ArrayList<>();
      try (Wal wal = Wal.open(options)) {
        snapshotImage();
        assertLog(wal, model, compactedThrough, seed);
        for (int batch = rnd.nextInt(4); batch >= 0; batch--) {
          term += rnd.nextInt(3) == 0 ? 1 : 0;
          List<Entry> es = batch(rnd, wal, compactedThrough, term);
          wal.append(es);
          hs = new HardState(term, "n" + rnd.nextInt(3), Math.max(hs.commit(), wal.lastIndex() / 2));
          wal.setHardState(hs);
          if (rnd.nextInt(5) == 0 && model.size() > 2) {
            long upTo = compactedThrough + 1 + rnd.nextInt((int) (wal.lastIndex() - compactedThrough));
            wal.compact(upTo); // syncs
            compactedThrough = upTo;
          }
          wal.sync();
          applyTo(model, es);
          model.headMap(compactedThrough, true).clear();
        }
        for (int batch = rnd.nextInt(3); batch > 0; batch--) { // written, never synced
          List<Entry> es = batch(rnd, wal, compactedThrough, term);
          wal.append(es);
          unsynced.add(es);
          wal.writeUnsynced();
        }
        crash(rnd, tmp.resolve(mode + "-" + round + "-crashed"));
      }
      Path crashed = tmp.resolve(mode + "-" + round + "-crashed");
      model = recoverAndCheck(crashed, mode, model, compactedThrough, unsynced, seed);
      torn += tornTails;
      compactedThrough = model.isEmpty() ? compactedThrough : Math.max(compactedThrough, model.firstKey() - 1);
    }
    System.out.println(mode + " seed " + seed + ": 40 crashes, " + torn + " torn tails truncated");
  }

  private int tornTails;

  private static List<Entry> batch(Random rnd, Wal wal, long compactedThrough, long term) {
    long last = wal.lastIndex();
    long from = last + 1;
    if (rnd.nextInt(4) == 0 && last > compactedThrough + 1) from = last - rnd.nextInt((int) Math.min(5, last - compactedThrough - 1)); // conflict
    List<Entry> out = new ArrayList<>();
    int n = 1 + rnd.nextInt(12);
    for (int i = 0; i < n; i++) {
      byte[] data = new byte[rnd.nextInt(400)];
      rnd.nextBytes(data);
      out.add(Entry.normal(term, from + i, data));
    }
    return out;
  }

  private static void applyTo(TreeMap<Long, Entry> log, List<Entry> es) {
    log.tailMap(es.get(0).index(), true).clear();
    for (Entry e : es) log.put(e.index(), e);
  }

  private TreeMap<Long, Entry> recoverAndCheck(Path crashed, Preallocation mode, TreeMap<Long, Entry> synced,
      long compactedThrough, List<List<Entry>> unsynced, long seed) throws IOException {
    try (Wal wal = Wal.open(WalTestSupport.small(crashed, mode))) {
      tornTails = wal.recoveryReport().tornTail() == null ? 0 : 1;
      TreeMap<Long, Entry> recovered = new TreeMap<>();
      if (wal.lastIndex() >= wal.firstIndex()) {
        for (Entry e : wal.entries(wal.firstIndex(), wal.lastIndex() + 1, Long.MAX_VALUE)) recovered.put(e.index(), e);
      }
      assertTrue(wal.firstIndex() - 1 >= compactedThrough, "seed " + seed + ": compaction point went back");
      TreeMap<Long, Entry> candidate = new TreeMap<>(synced);
      if (candidate.equals(recovered)) return recovered;
      for (List<Entry> es : unsynced) {
        for (Entry e : es) { // each entry is its own record: any record prefix may have reached the disk
          applyTo(candidate, List.of(e));
          candidate.headMap(wal.firstIndex() - 1, true).clear();
          if (candidate.equals(recovered)) return recovered;
        }
      }
      fail("seed " + seed + ": recovered log " + recovered.keySet() + " is not the synced log " + synced.keySet()
          + " plus a prefix of the unsynced records");
      return null;
    }
  }

  private void assertLog(Wal wal, TreeMap<Long, Entry> model, long compactedThrough, long seed) {
    if (model.isEmpty()) return;
    assertEquals(model.lastKey(), wal.lastIndex(), "seed " + seed);
    assertEquals(new ArrayList<>(model.values()), wal.entries(model.firstKey(), model.lastKey() + 1, Long.MAX_VALUE), "seed " + seed);
  }

  /** Called right after each fsync: everything in the directory is at least as durable as this copy. */
  private void snapshotImage() {
    try (Stream<Path> s = Files.list(liveDir)) {
      Map<String, byte[]> copy = new HashMap<>();
      for (Path p : (Iterable<Path>) s::iterator) {
        if (!p.getFileName().toString().endsWith(".tmp")) copy.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
      image = copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Builds the disk after a power loss: synced bytes kept, each later-written sector kept or not. */
  private void crash(Random rnd, Path crashed) throws IOException {
    Files.createDirectories(crashed);
    for (Map.Entry<String, byte[]> f : image.entrySet()) {
      Path live = liveDir.resolve(f.getKey());
      byte[] synced = f.getValue();
      byte[] now = Files.exists(live) ? Files.readAllBytes(live) : synced;
      int length = now.length == synced.length || rnd.nextBoolean() ? now.length : synced.length;
      byte[] out = new byte[length];
      for (int sector = 0; sector * 512 < length; sector++) {
        int from = sector * 512;
        int to = Math.min(length, from + 512);
        byte[] source = rnd.nextBoolean() ? now : synced;
        for (int i = from; i < to; i++) out[i] = i < source.length ? source[i] : 0;
      }
      Files.write(crashed.resolve(f.getKey()), out);
    }
  }

  private static void copyImage(Path from, Path to) throws IOException {
    WalTestSupport.copyDir(from, to);
  }
}
