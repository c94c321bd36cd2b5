package leasekv.wal;

import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;

/**
 * The first record of a segment. It makes every segment self-describing, so that older segments can
 * be deleted without losing the hard state or the compaction point they held.
 *
 * @param reset true when the segment starts a new log after a snapshot install: every entry written
 *     before it is discarded on replay
 * @param prevIndex the log's last index when the segment was opened; its first entry follows it
 * @param prevTerm the term of {@code prevIndex}
 * @param compaction the compaction point when the segment was opened
 * @param hardState the hard state when the segment was opened
 */
record SegmentStart(
    boolean reset, long prevIndex, long prevTerm, SnapshotMeta compaction, HardState hardState) {}
