package leasekv.replica;

import java.util.Objects;
import java.util.Random;
import leasekv.fsm.StateMachine;
import leasekv.raft.Clock;

/**
 * Everything a replica talks to, handed over in one piece (docs/replica.md has the picture): the
 * node passes its adapters, the simulation its simulated ones.
 *
 * @param log the Raft log (the WAL)
 * @param stateMachine the state machine, over its engine (RocksDB, or memory in the simulation)
 * @param transport peer messages and snapshot streams
 * @param applyLane where the state machine's work runs, in order, off the replica's thread
 * @param inbox the replica's own thread, for work posted from other threads
 * @param clock the one clock of every lease and timer decision (lease rule L10)
 * @param processClock the process's raw monotonic clock, which nothing reads unless the unsafe mode
 *     lease-check-on-process-clock makes the lease check read it instead of {@code clock}
 * @param random the only source of randomness (election timeouts)
 * @param metrics counters
 */
public record Ports(
    LogStore log,
    StateMachine stateMachine,
    Transport transport,
    ApplyLane applyLane,
    Inbox inbox,
    Clock clock,
    Clock processClock,
    Random random,
    ReplicaMetrics metrics) {
  public Ports {
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(stateMachine, "stateMachine");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(applyLane, "applyLane");
    Objects.requireNonNull(inbox, "inbox");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(processClock, "processClock");
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(metrics, "metrics");
  }
}
