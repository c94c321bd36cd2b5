package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RaftConfigTest {

  @Test
  void theDefaultLeaseIsTheLargestSafeOne() {
    RaftConfig c = RaftConfig.builder("n1").build(); // 10 ms ticks, 100-tick election timeout, rho 0.1
    assertEquals(810_000_000L, c.leaseNanos(), "(1000 ms - 10 ms) * 0.9 / 1.1");
    assertEquals(c.maxSafeLeaseNanos(), c.leaseNanos());
  }

  @Test
  void theReadTimeMarginComesOffTheLease() {
    RaftConfig c = RaftConfig.builder("n1").maxReadNanos(10_000_000L).build();
    assertEquals(800_000_000L, c.leaseNanos());
  }

  @Test
  void aLongerLeaseIsRefusedNamingEveryValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RaftConfig.builder("n1").leaseNanos(810_000_001L).build());
    for (String part : List.of("leaseNanos=810000001", "electionTimeoutTicks=100", "tickNanos=10000000",
        "clockDriftBound=0.1", "maxReadNanos=0", "810000000")) {
      assertTrue(e.getMessage().contains(part), e.getMessage() + " should name " + part);
    }
  }

  @Test
  void aLeaseAtTheBoundIsAccepted() {
    assertEquals(810_000_000L, RaftConfig.builder("n1").leaseNanos(810_000_000L).build().leaseNanos());
    assertEquals(5_000_000L, RaftConfig.builder("n1").leaseNanos(5_000_000L).build().leaseNanos());
  }

  @Test
  void aConfigurationWithNoSafeLeaseIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RaftConfig.builder("n1").electionTimeoutTicks(2).heartbeatIntervalTicks(1).maxReadNanos(20_000_000L).build());
    assertTrue(e.getMessage().startsWith("no safe lease exists"), e.getMessage());
  }

  @Test
  void theUnsafeLongLeaseModeSkipsValidationAndDoublesTheElectionTimeout() {
    RaftConfig c = RaftConfig.builder("n1").unsafe(UnsafeMode.LEASE_EXCEEDS_ELECTION_TIMEOUT).leaseNanos(5_000_000_000L).build();
    assertEquals(2_000_000_000L, c.leaseNanos());
  }

  @Test
  void badValuesAreRefusedNamingTheField() {
    assertMessage("tickNanos=0", () -> RaftConfig.builder("n1").tickNanos(0).build());
    assertMessage("electionTimeoutTicks=1", () -> RaftConfig.builder("n1").electionTimeoutTicks(1).build());
    assertMessage("heartbeatIntervalTicks=100", () -> RaftConfig.builder("n1").heartbeatIntervalTicks(100).build());
    assertMessage("clockDriftBound=1.0", () -> RaftConfig.builder("n1").clockDriftBound(1.0).build());
    assertMessage("maxInflightAppends=0", () -> RaftConfig.builder("n1").maxInflightAppends(0).build());
    assertMessage("id=a,b", () -> RaftConfig.builder("a,b").build());
    assertMessage("leaseNanos=-1", () -> RaftConfig.builder("n1").leaseNanos(-1).build());
  }

  @Test
  void unsafeModesParseFromTheirContractNames() {
    for (UnsafeMode m : UnsafeMode.values()) assertEquals(m, UnsafeMode.fromCliName(m.cliName()));
    assertEquals(List.of("lease-from-ack-receipt", "lease-exceeds-election-timeout", "no-lease-check",
        "read-before-own-term-commit", "lease-from-freshest-ack", "vote-within-lease", "vote-right-after-restart",
        "keep-lease-during-transfer"), java.util.Arrays.stream(UnsafeMode.values()).map(UnsafeMode::cliName).toList());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnsafeMode.fromCliName("wal-no-fsync"));
    assertTrue(e.getMessage().contains("no-lease-check"), e.getMessage());
  }

  @Test
  void toBuilderRoundTrips() {
    RaftConfig c = RaftConfig.builder("n2").electionTimeoutTicks(20).heartbeatIntervalTicks(3).leaseNanos(100_000_000L)
        .initialVoters(List.of("n1", "n2")).unsafe(UnsafeMode.NO_LEASE_CHECK).build();
    assertEquals(c.toString(), c.toBuilder().build().toString());
    assertEquals(7, c.toBuilder().appliedIndex(7).build().appliedIndex());
  }

  @Test
  void everyLimitIsAcceptedAtItsBoundAndRefusedJustPastIt() {
    RaftConfig edge = RaftConfig.builder("n1").tickNanos(1_000_000).electionTimeoutTicks(2).heartbeatIntervalTicks(1)
        .clockDriftBound(0).maxReadNanos(0).maxInflightAppends(1).maxBatchBytes(1).maxCommittedBytesPerReady(1)
        .transferTimeoutTicks(1).appliedIndex(0).build();
    assertEquals(1, edge.heartbeatIntervalTicks());
    assertEquals(0.0, edge.clockDriftBound());
    assertEquals(0, edge.maxReadNanos());
    assertEquals(1, edge.maxInflightAppends());
    assertEquals(1, edge.maxBatchBytes());
    assertEquals(1, edge.maxCommittedBytesPerReady());
    assertEquals(1, edge.transferTimeoutTicks());
    assertEquals(1_000_000, edge.leaseNanos(), "(2 - 1) ticks of 1 ms, no drift, no read margin");
    RaftConfig upper = RaftConfig.builder("n1").electionTimeoutTicks(10).heartbeatIntervalTicks(9).clockDriftBound(0.5)
        .maxReadNanos(1).build();
    assertEquals(9, upper.heartbeatIntervalTicks());
    assertEquals(0.5, upper.clockDriftBound());
    assertEquals(1, upper.maxReadNanos());
    assertEquals(java.util.Set.of(), upper.unsafeModes());
    assertEquals(java.util.Set.of(UnsafeMode.NO_LEASE_CHECK),
        RaftConfig.builder("n1").unsafe(UnsafeMode.NO_LEASE_CHECK).build().unsafeModes());
    assertMessage("tickNanos=-1", () -> RaftConfig.builder("n1").tickNanos(-1).build());
    assertMessage("heartbeatIntervalTicks=0", () -> RaftConfig.builder("n1").heartbeatIntervalTicks(0).build());
    assertMessage("heartbeatIntervalTicks=10", () -> RaftConfig.builder("n1").electionTimeoutTicks(10).heartbeatIntervalTicks(10).build());
    assertMessage("clockDriftBound=-0.1", () -> RaftConfig.builder("n1").clockDriftBound(-0.1).build());
    assertMessage("maxReadNanos=-1", () -> RaftConfig.builder("n1").maxReadNanos(-1).build());
    assertMessage("maxBatchBytes=0", () -> RaftConfig.builder("n1").maxBatchBytes(0).build());
    assertMessage("maxCommittedBytesPerReady=0", () -> RaftConfig.builder("n1").maxCommittedBytesPerReady(0).build());
    assertMessage("transferTimeoutTicks=-1", () -> RaftConfig.builder("n1").transferTimeoutTicks(-1).build());
    assertMessage("appliedIndex=-1", () -> RaftConfig.builder("n1").appliedIndex(-1).build());
    assertMessage("id=", () -> RaftConfig.builder("").build());
  }

  @Test
  void aSafeLeaseOfExactlyZeroIsNoLease() {
    // (2 - 1) * 10 ms * 0.9 / 1.1 = 8181818 ns, all of it taken by the read margin
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RaftConfig.builder("n1").electionTimeoutTicks(2).heartbeatIntervalTicks(1).maxReadNanos(8_181_818).build());
    assertTrue(e.getMessage().startsWith("no safe lease exists"), e.getMessage());
    assertEquals(1, RaftConfig.builder("n1").electionTimeoutTicks(2).heartbeatIntervalTicks(1).maxReadNanos(8_181_817)
        .build().leaseNanos());
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    // the field's own check, not a later one (a lease check's message names every value too)
    assertTrue(e.getMessage().startsWith("bad raft config: " + expected), e.getMessage() + " should name " + expected);
  }
}
