/**
 * The Raft consensus core: a deterministic state machine with no threads, no clock reads and no I/O.
 *
 * <p>It is driven by {@code step(message)}, {@code tick()}, {@code propose(...)} and
 * {@code ready()}/{@code advance()}. Time comes only from an injected {@link leasekv.raft.Clock} and
 * randomness only from an injected {@link java.util.Random}, so a seeded simulation replays exactly.
 */
package leasekv.raft;
