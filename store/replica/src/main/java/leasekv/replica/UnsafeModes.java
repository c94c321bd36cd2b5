package leasekv.replica;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.StringJoiner;
import leasekv.raft.UnsafeMode;

/**
 * The deliberately broken builds of the store, by their {@code --unsafe} names. Each breaks exactly
 * one rule of docs/rules.md and is off unless named (the node accepts them only with {@code
 * --test-hooks}). Some live in the Raft core ({@link UnsafeMode}), the others in the replica, the
 * state machine or the WAL.
 */
public final class UnsafeModes {
  /** One mode: its name, the rule it breaks, and what it does. */
  public enum Mode {
    LEASE_FROM_ACK_RECEIPT(
        "lease-from-ack-receipt",
        "L2",
        UnsafeMode.LEASE_FROM_ACK_RECEIPT,
        "the lease starts when the quorum's acks arrive, not when the acked round was sent"),
    LEASE_EXCEEDS_ELECTION_TIMEOUT(
        "lease-exceeds-election-timeout",
        "L4",
        UnsafeMode.LEASE_EXCEEDS_ELECTION_TIMEOUT,
        "the lease is 2x the minimum election timeout (validation skipped)"),
    NO_LEASE_CHECK(
        "no-lease-check",
        "L1",
        UnsafeMode.NO_LEASE_CHECK,
        "a node that believes it leads serves reads locally with no lease or ReadIndex check"),
    READ_BEFORE_OWN_TERM_COMMIT(
        "read-before-own-term-commit",
        "L9",
        UnsafeMode.READ_BEFORE_OWN_TERM_COMMIT,
        "a new leader serves lease reads before it commits an entry of its own term"),
    LEASE_FROM_FRESHEST_ACK(
        "lease-from-freshest-ack",
        "L3",
        UnsafeMode.LEASE_FROM_FRESHEST_ACK,
        "the lease runs from the freshest follower ack instead of the majority-th latest"),
    VOTE_WITHIN_LEASE(
        "vote-within-lease",
        "L5",
        UnsafeMode.VOTE_WITHIN_LEASE,
        "followers vote and change term within an election timeout of hearing from the leader"),
    VOTE_RIGHT_AFTER_RESTART(
        "vote-right-after-restart",
        "L6",
        UnsafeMode.VOTE_RIGHT_AFTER_RESTART,
        "a restarted node votes and campaigns at once instead of waiting an election timeout"),
    KEEP_LEASE_DURING_TRANSFER(
        "keep-lease-during-transfer",
        "L7",
        UnsafeMode.KEEP_LEASE_DURING_TRANSFER,
        "a leadership transfer keeps the lease: the old leader serves lease reads after TimeoutNow"),
    LEASE_READ_SKIPS_APPLY_WAIT(
        "lease-read-skips-apply-wait",
        "L9",
        null,
        "a lease read is served from the state machine as it is, without waiting for the read's fence to apply"),
    LEASE_CHECK_ON_PROCESS_CLOCK(
        "lease-check-on-process-clock",
        "L10",
        null,
        "the lease check reads the process's raw clock, not the node clock the lease was anchored on"),
    APPLIED_INDEX_AHEAD_OF_DATA(
        "applied-index-ahead-of-data",
        "D1",
        null,
        "the applied index is synced in its own write, ahead of the unsynced data batch"),
    DEDUP_SKIPPED(
        "dedup-skipped",
        "D2",
        null,
        "the state machine applies a retried request again instead of answering it from the de-dup table"),
    DEDUP_OUTSIDE_BATCH(
        "dedup-outside-batch",
        "D2",
        null,
        "the de-dup records are written in a batch of their own after the data, not atomically with it"),
    ACK_BEFORE_SYNC(
        "ack-before-sync",
        "D3",
        null,
        "every message of a Ready (acks and votes too) is sent before the Ready's log sync"),
    COMPACT_PAST_DURABLE_APPLIED(
        "compact-past-durable-applied",
        "D4",
        null,
        "the log is compacted up to the in-memory applied index, not the durable one"),
    WAL_NO_FSYNC("wal-no-fsync", "D3", null, "the Raft WAL never fsyncs"),
    SKIP_REPLAY(
        "skip-replay",
        "D5",
        null,
        "a restarted node takes the log's commit index as applied, without replaying what its state machine lost"),
    LOG_RESET_BEFORE_INSTALL(
        "log-reset-before-install",
        "D6",
        null,
        "a follower resets its log to a snapshot before its state machine holds the snapshot"),
    APPEND_AFTER_TORN_TAIL(
        "append-after-torn-tail",
        "D7",
        null,
        "WAL recovery drops a torn tail's records but the log resumes after its bytes, not over them");

    private final String cliName;
    private final String rule;
    private final UnsafeMode core;
    private final String description;

    Mode(String cliName, String rule, UnsafeMode core, String description) {
      this.cliName = cliName;
      this.rule = rule;
      this.core = core;
      this.description = description;
    }

    public String cliName() {
      return cliName;
    }

    /** The rule of docs/rules.md this mode breaks, e.g. "L5" or "D2". */
    public String rule() {
      return rule;
    }

    public String description() {
      return description;
    }

    static Mode fromCliName(String name) {
      for (Mode m : values()) {
        if (m.cliName.equals(name)) return m;
      }
      return null;
    }
  }

  public static final UnsafeModes NONE = new UnsafeModes(EnumSet.noneOf(Mode.class));

  private final Set<Mode> modes;

  private UnsafeModes(Set<Mode> modes) {
    this.modes = Collections.unmodifiableSet(modes);
  }

  public static UnsafeModes of(Mode... modes) {
    EnumSet<Mode> set = EnumSet.noneOf(Mode.class);
    Collections.addAll(set, modes);
    return new UnsafeModes(set);
  }

  /**
   * Parses a comma-separated list of mode names.
   *
   * @throws IllegalArgumentException naming the unknown mode and the known ones
   */
  public static UnsafeModes parse(String names) {
    EnumSet<Mode> set = EnumSet.noneOf(Mode.class);
    for (String raw : names.split(",")) {
      String name = raw.trim();
      if (name.isEmpty()) continue;
      Mode m = Mode.fromCliName(name);
      if (m == null)
        throw new IllegalArgumentException(
            "unknown mode '" + name + "'; known modes: " + knownNames());
      set.add(m);
    }
    return new UnsafeModes(set);
  }

  public static String knownNames() {
    StringJoiner s = new StringJoiner(", ");
    for (Mode m : Mode.values()) s.add(m.cliName);
    return s.toString();
  }

  /** One line per mode, for {@code --help}. */
  public static String help() {
    StringBuilder s = new StringBuilder();
    for (Mode m : Mode.values()) {
      if (s.length() > 0) s.append(System.lineSeparator());
      s.append(String.format("  %-32s %-4s %s", m.cliName, m.rule, m.description));
    }
    return s.toString();
  }

  public boolean has(Mode mode) {
    return modes.contains(mode);
  }

  public boolean any() {
    return !modes.isEmpty();
  }

  public Set<Mode> modes() {
    return modes;
  }

  /** The modes the state machine implements, for opening it. */
  public Set<leasekv.fsm.FsmUnsafe> fsmModes() {
    EnumSet<leasekv.fsm.FsmUnsafe> out = EnumSet.noneOf(leasekv.fsm.FsmUnsafe.class);
    if (has(Mode.APPLIED_INDEX_AHEAD_OF_DATA))
      out.add(leasekv.fsm.FsmUnsafe.APPLIED_INDEX_AHEAD_OF_DATA);
    if (has(Mode.DEDUP_SKIPPED)) out.add(leasekv.fsm.FsmUnsafe.DEDUP_SKIPPED);
    if (has(Mode.DEDUP_OUTSIDE_BATCH)) out.add(leasekv.fsm.FsmUnsafe.DEDUP_OUTSIDE_BATCH);
    return out;
  }

  /** The modes the Raft core implements, for its configuration. */
  public Set<UnsafeMode> coreModes() {
    EnumSet<UnsafeMode> out = EnumSet.noneOf(UnsafeMode.class);
    for (Mode m : modes) {
      if (m.core != null) out.add(m.core);
    }
    return out;
  }

  /** The active modes by name, comma-separated ("" when safe), for INFO and logs. */
  public String names() {
    StringJoiner s = new StringJoiner(",");
    for (Mode m : modes) s.add(m.cliName);
    return s.toString();
  }

  @Override
  public String toString() {
    return modes.isEmpty() ? "safe" : names();
  }
}
