package leasekv.raft;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Immutable configuration of one core, validated when built. Time is in ticks (the node calls
 * {@link RaftCore#tick()} once per {@code tickNanos} of its clock) except for the lease, which is in
 * clock nanoseconds.
 *
 * <p>The lease bound (rule L4 of docs/rules.md): a follower refuses votes until it has counted
 * {@code electionTimeoutTicks + 1} ticks after hearing from the leader, which is at least
 * {@code (electionTimeoutTicks - 1) * tickNanos} of its clock: the first tick may come right after the
 * message, and a forward clock jump may bring one more early (a batch of catch-up ticks counts once).
 * Clocks run at rates within {@code [1-rho, 1+rho]}, so the refusal lasts at least
 * {@code (E-1)·tick/(1+rho)} real time while a lease of L clock-nanoseconds lasts at most
 * {@code L/(1-rho)} real time. Hence {@code L <= (E-1)·tick·(1-rho)/(1+rho) - maxReadNanos}.
 */
public final class RaftConfig {
  private final String id;
  private final long tickNanos;
  private final int electionTimeoutTicks;
  private final int heartbeatIntervalTicks;
  private final double clockDriftBound;
  private final long maxReadNanos;
  private final long leaseNanos;
  private final int maxInflightAppends;
  private final long maxBatchBytes;
  private final long maxCommittedBytesPerReady;
  private final int transferTimeoutTicks;
  private final List<String> initialVoters;
  private final long appliedIndex;
  private final Set<UnsafeMode> unsafeModes;

  private RaftConfig(Builder b) {
    id = b.id;
    tickNanos = b.tickNanos;
    electionTimeoutTicks = b.electionTimeoutTicks;
    heartbeatIntervalTicks = b.heartbeatIntervalTicks;
    clockDriftBound = b.clockDriftBound;
    maxReadNanos = b.maxReadNanos;
    maxInflightAppends = b.maxInflightAppends;
    maxBatchBytes = b.maxBatchBytes;
    maxCommittedBytesPerReady = b.maxCommittedBytesPerReady;
    transferTimeoutTicks = b.transferTimeoutTicks == 0 ? b.electionTimeoutTicks : b.transferTimeoutTicks;
    initialVoters = List.copyOf(new ConfState(b.initialVoters).voters());
    appliedIndex = b.appliedIndex;
    unsafeModes = b.unsafeModes.isEmpty() ? Set.of() : Set.copyOf(b.unsafeModes);
    validate();
    leaseNanos = chooseLease(b.leaseNanos);
  }

  public static Builder builder(String id) {
    return new Builder(id);
  }

  /** A builder holding this configuration (the lease as chosen), e.g. to change the applied index on restart. */
  public Builder toBuilder() {
    Builder b = new Builder(id).tickNanos(tickNanos).electionTimeoutTicks(electionTimeoutTicks)
        .heartbeatIntervalTicks(heartbeatIntervalTicks).clockDriftBound(clockDriftBound).maxReadNanos(maxReadNanos)
        .maxInflightAppends(maxInflightAppends).maxBatchBytes(maxBatchBytes)
        .maxCommittedBytesPerReady(maxCommittedBytesPerReady).transferTimeoutTicks(transferTimeoutTicks)
        .initialVoters(initialVoters).appliedIndex(appliedIndex).unsafeModes(unsafeModes);
    return b.leaseNanos(leaseNanos);
  }

  private void validate() {
    if (id == null || id.isEmpty() || id.contains(",")) throw bad("id", id, "must be a non-empty node id without commas");
    if (tickNanos <= 0) throw bad("tickNanos", tickNanos, "must be positive");
    if (electionTimeoutTicks < 2) throw bad("electionTimeoutTicks", electionTimeoutTicks, "must be at least 2");
    if (heartbeatIntervalTicks < 1 || heartbeatIntervalTicks >= electionTimeoutTicks) {
      throw bad("heartbeatIntervalTicks", heartbeatIntervalTicks,
          "must be at least 1 and less than electionTimeoutTicks=" + electionTimeoutTicks);
    }
    if (!(clockDriftBound >= 0 && clockDriftBound < 1)) throw bad("clockDriftBound", clockDriftBound, "must be in [0, 1)");
    if (maxReadNanos < 0) throw bad("maxReadNanos", maxReadNanos, "must not be negative");
    if (maxInflightAppends < 1) throw bad("maxInflightAppends", maxInflightAppends, "must be at least 1");
    if (maxBatchBytes < 1) throw bad("maxBatchBytes", maxBatchBytes, "must be at least 1");
    if (maxCommittedBytesPerReady < 1) throw bad("maxCommittedBytesPerReady", maxCommittedBytesPerReady, "must be at least 1");
    if (transferTimeoutTicks < 1) throw bad("transferTimeoutTicks", transferTimeoutTicks, "must be at least 1");
    if (appliedIndex < 0) throw bad("appliedIndex", appliedIndex, "must not be negative");
  }

  private long chooseLease(long requested) {
    if (unsafeModes.contains(UnsafeMode.LEASE_EXCEEDS_ELECTION_TIMEOUT)) {
      return 2 * minElectionTimeoutNanos(); // deliberately unsafe: validation skipped
    }
    long max = maxSafeLeaseNanos();
    if (max <= 0) {
      throw new IllegalArgumentException("no safe lease exists: (electionTimeoutTicks=" + electionTimeoutTicks
          + " - 1) * tickNanos=" + tickNanos + " * (1 - clockDriftBound=" + clockDriftBound + ") / (1 + "
          + clockDriftBound + ") - maxReadNanos=" + maxReadNanos + " = " + max + " ns; raise the election timeout");
    }
    if (requested == 0) return max;
    if (requested < 0) throw bad("leaseNanos", requested, "must be positive (0 chooses the largest safe lease)");
    if (requested > max) {
      throw new IllegalArgumentException("leaseNanos=" + requested + " is unsafe: it must be at most (electionTimeoutTicks="
          + electionTimeoutTicks + " - 1) * tickNanos=" + tickNanos + " * (1 - clockDriftBound=" + clockDriftBound
          + ") / (1 + " + clockDriftBound + ") - maxReadNanos=" + maxReadNanos + " = " + max + " ns");
    }
    return requested;
  }

  /** The largest lease the election timeout, tick, drift bound and read time allow (the default). */
  public long maxSafeLeaseNanos() {
    // Decimal arithmetic so that e.g. 990 ms * 0.9 / 1.1 is exactly 810 ms, not 809.99999 ms.
    BigDecimal rho = BigDecimal.valueOf(clockDriftBound);
    BigDecimal refusal = BigDecimal.valueOf((long) (electionTimeoutTicks - 1) * tickNanos)
        .multiply(BigDecimal.ONE.subtract(rho))
        .divide(BigDecimal.ONE.add(rho), 0, RoundingMode.FLOOR);
    return refusal.longValueExact() - maxReadNanos;
  }

  public long minElectionTimeoutNanos() {
    return electionTimeoutTicks * tickNanos;
  }

  private static IllegalArgumentException bad(String field, Object value, String why) {
    return new IllegalArgumentException("bad raft config: " + field + "=" + value + " " + why);
  }

  public String id() { return id; }
  public long tickNanos() { return tickNanos; }
  /** The minimum election timeout; each campaign waits a random timeout in [this, 2 * this). */
  public int electionTimeoutTicks() { return electionTimeoutTicks; }
  public int heartbeatIntervalTicks() { return heartbeatIntervalTicks; }
  /** rho: every clock runs at a rate within [1 - rho, 1 + rho] of real time. */
  public double clockDriftBound() { return clockDriftBound; }
  /** Margin for the time a lease read may take after its lease check (0 when the node checks after taking its snapshot). */
  public long maxReadNanos() { return maxReadNanos; }
  /** The lease length in use: the requested one, or {@link #maxSafeLeaseNanos()} by default. */
  public long leaseNanos() { return leaseNanos; }
  public int maxInflightAppends() { return maxInflightAppends; }
  public long maxBatchBytes() { return maxBatchBytes; }
  public long maxCommittedBytesPerReady() { return maxCommittedBytesPerReady; }
  public int transferTimeoutTicks() { return transferTimeoutTicks; }
  /** The voters written into a brand-new (empty) log; ignored when the storage holds any state. */
  public List<String> initialVoters() { return initialVoters; }
  /** The state machine's applied index at start; entries up to it are not handed out again. */
  public long appliedIndex() { return appliedIndex; }
  public Set<UnsafeMode> unsafeModes() { return unsafeModes; }
  public boolean isUnsafe(UnsafeMode mode) { return unsafeModes.contains(mode); }

  @Override
  public String toString() {
    return "RaftConfig{id=" + id + ", tickNanos=" + tickNanos + ", electionTimeoutTicks=" + electionTimeoutTicks
        + ", heartbeatIntervalTicks=" + heartbeatIntervalTicks + ", clockDriftBound=" + clockDriftBound
        + ", leaseNanos=" + leaseNanos + ", maxInflightAppends=" + maxInflightAppends + ", maxBatchBytes="
        + maxBatchBytes + ", unsafeModes=" + unsafeModes + "}";
  }

  /** Builder with the store's defaults: 10 ms ticks, 1 s election timeout, 100 ms heartbeats, rho 0.1. */
  public static final class Builder {
    private final String id;
    private long tickNanos = 10_000_000L;
    private int electionTimeoutTicks = 100;
    private int heartbeatIntervalTicks = 10;
    private double clockDriftBound = 0.1;
    private long maxReadNanos = 0;
    private long leaseNanos = 0;
    private int maxInflightAppends = 64;
    private long maxBatchBytes = 1 << 20;
    private long maxCommittedBytesPerReady = 16L << 20;
    private int transferTimeoutTicks = 0;
    private List<String> initialVoters = List.of();
    private long appliedIndex = 0;
    private final Set<UnsafeMode> unsafeModes = EnumSet.noneOf(UnsafeMode.class);

    private Builder(String id) {
      this.id = id;
    }

    public Builder tickNanos(long v) { tickNanos = v; return this; }
    public Builder electionTimeoutTicks(int v) { electionTimeoutTicks = v; return this; }
    public Builder heartbeatIntervalTicks(int v) { heartbeatIntervalTicks = v; return this; }
    public Builder clockDriftBound(double v) { clockDriftBound = v; return this; }
    public Builder maxReadNanos(long v) { maxReadNanos = v; return this; }
    /** 0 (the default) chooses {@link RaftConfig#maxSafeLeaseNanos()}; a larger value is refused. */
    public Builder leaseNanos(long v) { leaseNanos = v; return this; }
    public Builder maxInflightAppends(int v) { maxInflightAppends = v; return this; }
    public Builder maxBatchBytes(long v) { maxBatchBytes = v; return this; }
    public Builder maxCommittedBytesPerReady(long v) { maxCommittedBytesPerReady = v; return this; }
    /** 0 (the default) uses the election timeout. */
    public Builder transferTimeoutTicks(int v) { transferTimeoutTicks = v; return this; }
    public Builder initialVoters(Collection<String> v) { initialVoters = List.copyOf(v); return this; }
    public Builder appliedIndex(long v) { appliedIndex = v; return this; }
    public Builder unsafe(UnsafeMode mode) { unsafeModes.add(mode); return this; }
    public Builder unsafeModes(Collection<UnsafeMode> modes) { unsafeModes.clear(); unsafeModes.addAll(modes); return this; }

    public RaftConfig build() {
      return new RaftConfig(this);
    }
  }
}
