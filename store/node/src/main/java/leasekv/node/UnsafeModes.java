package leasekv.node;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;
import leasekv.raft.UnsafeMode;

/**
 * The seven deliberately broken builds of the store, by their {@code --unsafe} names. Four break a
 * lease rule inside the Raft core ({@link UnsafeMode}); three break a durability rule in the node,
 * the state machine or the WAL. Each breaks exactly one rule and is off unless named.
 */
public record UnsafeModes(Set<UnsafeMode> core, boolean appliedIndexAheadOfData,
    boolean compactPastDurableApplied, boolean walNoFsync) {

  public static final String APPLIED_INDEX_AHEAD_OF_DATA = "applied-index-ahead-of-data";
  public static final String COMPACT_PAST_DURABLE_APPLIED = "compact-past-durable-applied";
  public static final String WAL_NO_FSYNC = "wal-no-fsync";

  public static final UnsafeModes NONE = new UnsafeModes(Set.of(), false, false, false);

  /** One line per mode, for {@code --help}. */
  public static final String HELP =
      "  lease-from-ack-receipt          the lease starts when the quorum's acks arrive, not when the acked round was sent%n" +
      "  lease-exceeds-election-timeout  the lease is 2x the minimum election timeout (validation skipped)%n" +
      "  no-lease-check                  a node that believes it leads serves reads locally with no lease or ReadIndex check%n" +
      "  read-before-own-term-commit     a new leader serves lease reads before it commits an entry of its own term%n" +
      "  applied-index-ahead-of-data     the applied index is synced in its own write, ahead of the unsynced data batch%n" +
      "  compact-past-durable-applied    the log is compacted up to the in-memory applied index, not the durable one%n" +
      "  wal-no-fsync                    the Raft WAL never fsyncs";

  /** Parses a comma-separated list of mode names; an unknown name is an error naming the known ones. */
  public static UnsafeModes parse(String names) {
    Set<UnsafeMode> core = EnumSet.noneOf(UnsafeMode.class);
    Set<String> seen = new LinkedHashSet<>();
    for (String raw : names.split(",")) {
      String name = raw.trim();
      if (name.isEmpty()) continue;
      seen.add(name);
      switch (name) {
        case APPLIED_INDEX_AHEAD_OF_DATA, COMPACT_PAST_DURABLE_APPLIED, WAL_NO_FSYNC -> { }
        default -> {
          try {
            core.add(UnsafeMode.fromCliName(name));
          } catch (IllegalArgumentException e) {
            throw new ConfigException("--unsafe: unknown mode '" + name + "'; known modes: " + knownNames());
          }
        }
      }
    }
    return new UnsafeModes(core, seen.contains(APPLIED_INDEX_AHEAD_OF_DATA),
        seen.contains(COMPACT_PAST_DURABLE_APPLIED), seen.contains(WAL_NO_FSYNC));
  }

  public static String knownNames() {
    StringBuilder s = new StringBuilder();
    for (UnsafeMode m : UnsafeMode.values()) s.append(m.cliName()).append(", ");
    return s.append(APPLIED_INDEX_AHEAD_OF_DATA).append(", ").append(COMPACT_PAST_DURABLE_APPLIED)
        .append(", ").append(WAL_NO_FSYNC).toString();
  }

  public boolean any() {
    return !core.isEmpty() || appliedIndexAheadOfData || compactPastDurableApplied || walNoFsync;
  }

  /** The active modes by name, comma-separated ("" when safe), for INFO and logs. */
  public String names() {
    StringBuilder s = new StringBuilder();
    for (UnsafeMode m : core) s.append(s.length() == 0 ? "" : ",").append(m.cliName());
    if (appliedIndexAheadOfData) s.append(s.length() == 0 ? "" : ",").append(APPLIED_INDEX_AHEAD_OF_DATA);
    if (compactPastDurableApplied) s.append(s.length() == 0 ? "" : ",").append(COMPACT_PAST_DURABLE_APPLIED);
    if (walNoFsync) s.append(s.length() == 0 ? "" : ",").append(WAL_NO_FSYNC);
    return s.toString();
  }
}
