package leasekv.wal;

import java.util.ArrayList;
import java.util.List;
import leasekv.raft.Entry;

/**
 * The most recent entries, contiguous up to the log's last index, bounded by their total size. The
 * leader's replication reads are almost always of recent entries, so they come from here.
 */
final class EntryCache {
  private final long maxBytes;
  private final List<Entry> entries = new ArrayList<>();
  private int head;
  private long bytes;

  EntryCache(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  void put(Entry e) {
    if (size() > 0 && e.index() != lastIndex() + 1) {
      truncateFrom(e.index());
      if (size() > 0 && e.index() != lastIndex() + 1) clear();
    }
    entries.add(e);
    bytes += e.sizeBytes();
    while (bytes > maxBytes && size() > 1) evictFirst();
  }

  /** The cached entry, or null. */
  Entry get(long index) {
    if (size() == 0 || index < firstIndex() || index > lastIndex()) return null;
    return entries.get(head + (int) (index - firstIndex()));
  }

  void truncateFrom(long index) {
    if (size() == 0 || index > lastIndex()) return;
    if (index <= firstIndex()) {
      clear();
      return;
    }
    List<Entry> tail = entries.subList(head + (int) (index - firstIndex()), entries.size());
    for (Entry e : tail) bytes -= e.sizeBytes();
    tail.clear();
  }

  void dropThrough(long index) {
    while (size() > 0 && firstIndex() <= index) evictFirst();
  }

  void clear() {
    entries.clear();
    head = 0;
    bytes = 0;
  }

  private void evictFirst() {
    bytes -= entries.get(head).sizeBytes();
    entries.set(head, null);
    head++;
    if (head > 1024 && head > entries.size() / 2) {
      entries.subList(0, head).clear();
      head = 0;
    }
  }

  private int size() {
    return entries.size() - head;
  }

  private long firstIndex() {
    return entries.get(head).index();
  }

  private long lastIndex() {
    return entries.get(entries.size() - 1).index();
  }
}
