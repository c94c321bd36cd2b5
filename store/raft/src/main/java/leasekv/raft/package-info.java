/**
 * The Raft consensus core: a deterministic state machine with no threads, no clock reads and no I/O.
 *
 * <p>{@link leasekv.raft.RaftCore} is driven by {@code tick()}, {@code step(Message)},
 * {@code propose(byte[])}, {@code proposeConfChange(ConfChange)}, {@code transferLeadership(id)},
 * {@code readIndex(requestId)} and {@code hasReady()}/{@code ready()}/{@code advance(Ready)}. Time
 * comes only from an injected {@link leasekv.raft.Clock} and randomness only from an injected
 * {@link java.util.Random}, so a seeded simulation replays exactly. It reads the persisted log
 * through {@link leasekv.raft.LogStorage}, which the WAL implements.
 *
 * <h2>The driver loop</h2>
 *
 * One thread owns the core. It ticks it once per {@code tickNanos} of the clock (never more ticks
 * than the clock advanced; dropping missed ticks is fine), steps received messages, proposes, and
 * after each input runs:
 *
 * <pre>{@code
 * while (core.hasReady()) {
 *   Ready r = core.ready();
 *   published = r.leaseState();                          // 1. before any message leaves
 *   if (r.snapshot() != null) installCheckpointAndResetWal(r.snapshot());
 *   wal.append(r.entries());                             // 2. truncates at the first entry's index
 *   if (r.hardState() != null) wal.setHardState(r.hardState());
 *   if (r.mustSync()) wal.fsync();                       //    ONE fsync for all of it
 *   for (Message m : r.messages()) transport.send(m);    // 3. on m.lane(); snapshots: stream first
 *   for (Entry e : r.committedEntries()) fsm.apply(e);   // 4. then answer proposals and reads
 *   confirmReads(r.readStates()); failReads(r.abortedReadRequests());
 *   core.advance(r);                                     // 5.
 *   published = core.leaseState();
 * }
 * }</pre>
 *
 * <h2>Lease reads</h2>
 *
 * A reader thread never calls the core: it acquires its state-machine snapshot, then samples the
 * clock, then reads the {@code volatile} published {@link leasekv.raft.LeaseState} and serves the read
 * locally iff {@code canServeLeaseRead(now)} and the snapshot's applied index is at least
 * {@code commitIndex()}; otherwise it falls back to {@code readIndex}. See {@code store/raft/README.md}
 * for the rules and where each is enforced.
 */
package leasekv.raft;
