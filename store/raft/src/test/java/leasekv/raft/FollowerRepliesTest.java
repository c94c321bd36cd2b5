package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A follower's answers to a leader's appends and snapshots. */
class FollowerRepliesTest {
  private static final ConfState THREE = new ConfState(List.of("n1", "n2", "n3"));
  private final OneCore one = new OneCore("n1", "n2", "n3");

  private Message snapshot(long index, long term) {
    return new Message(MessageType.INSTALL_SNAPSHOT, "n2", "n1", 2, 0, 0, List.of(), 0, false, 0,
        new SnapshotMeta(index, term, THREE), 3, false);
  }

  private Message append(long prevIndex, long prevTerm, List<Entry> entries, long commit) {
    return new Message(MessageType.APPEND, "n2", "n1", 2, prevTerm, prevIndex, entries, commit, false, 0, null, 3, false);
  }

  private static Message only(List<Message> out) {
    assertEquals(1, out.size(), out.toString());
    return out.get(0);
  }

  @Test
  void aSnapshotAtOrBelowTheCommitIndexIsAnsweredWithTheCommitIndex() {
    one.drive();
    Message reply = only(one.step(snapshot(1, 1)));
    assertEquals(MessageType.APPEND_RESPONSE, reply.type());
    assertEquals(1, reply.index());
    assertEquals(3, reply.seq(), "echoes the leader's round");
    assertEquals(0, one.storage.snapshot().index(), "nothing installed");
  }

  @Test
  void aSnapshotOfEntriesAlreadyHeldOnlyCommitsThem() {
    one.drive();
    one.step(append(1, 1, List.of(Entry.noop(2, 2), Entry.noop(2, 3)), 1));
    assertEquals(1, one.core.status().commitIndex());
    Message reply = only(one.step(snapshot(3, 2)));
    assertEquals(3, reply.index());
    assertEquals(3, one.core.status().commitIndex());
    assertEquals(0, one.storage.snapshot().index(), "nothing installed: the log has the entries");
    assertEquals(3, one.core.status().lastIndex());
  }

  @Test
  void aSnapshotBeyondTheLogReplacesIt() {
    one.drive();
    Message reply = only(one.step(snapshot(10, 2)));
    assertEquals(10, reply.index());
    assertEquals(10, one.storage.snapshot().index(), "installed from the Ready");
    assertEquals(10, one.core.status().commitIndex());
    assertEquals(11, one.core.status().firstIndex());
  }

  @Test
  void anAppendBehindTheCommitIndexIsAnsweredWithTheCommitIndex() {
    one.drive();
    one.step(append(1, 1, List.of(Entry.noop(2, 2), Entry.noop(2, 3)), 3));
    Message reply = only(one.step(append(1, 1, List.of(Entry.noop(2, 2)), 3))); // a duplicate, delayed
    assertFalse(reply.reject());
    assertEquals(3, reply.index());
    assertEquals(3, one.core.status().lastIndex(), "entry 3 was not truncated");
  }

  @Test
  void aMismatchedAppendIsRefusedWithABacktrackHint() {
    one.drive();
    one.step(append(1, 1, List.of(Entry.noop(2, 2), Entry.noop(2, 3)), 1));
    Message reply = only(one.step(append(5, 2, List.of(Entry.noop(2, 6)), 1)));
    assertEquals(true, reply.reject());
    assertEquals(3, reply.rejectHint(), "its last entry of at most term 2");
    assertEquals(2, reply.logTerm());
  }

  @Test
  void aSnapshotBelowTheCommitIndexNeverReplacesTheLogEvenIfItsTermDiffers() {
    one.drive();
    one.step(append(1, 1, List.of(Entry.noop(2, 2), Entry.noop(2, 3)), 3));
    Message reply = only(one.step(snapshot(2, 1))); // a stale snapshot: entry 2 here has term 2
    assertEquals(3, reply.index());
    assertEquals(0, one.storage.snapshot().index(), "nothing installed");
    assertEquals(3, one.core.status().lastIndex());
  }
}
