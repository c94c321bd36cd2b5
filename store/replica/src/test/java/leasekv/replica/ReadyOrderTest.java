package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import leasekv.raft.Entry;
import leasekv.raft.MessageType;
import leasekv.raft.Role;
import leasekv.replica.UnsafeModes.Mode;
import org.junit.jupiter.api.Test;

/**
 * The Ready order of {@link Replica#process()} (durability rule D3): what says "I have stored this"
 * leaves only after the sync; the leader's own appends leave before its sync.
 */
class ReadyOrderTest {
  private static List<String> withoutHardState(List<String> calls) {
    return calls.stream().filter(c -> !c.equals("hard state")).toList();
  }

  @Test
  void aFollowerAcknowledgesAnAppendOnlyAfterTheEntriesAreSynced() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.receive(ReplicaFixture.appendFromN2(2, 1, 1, List.of(Entry.noop(2, 2), Entry.noop(2, 3)), 1));
    assertEquals(List.of("append 2..3", "sync", "send APPEND_RESPONSE to n2"), withoutHardState(f.calls));
    assertEquals(3, f.sent(MessageType.APPEND_RESPONSE).get(0).index());
  }

  @Test
  void unsafeAckBeforeSyncAcknowledgesFirst() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.of(Mode.ACK_BEFORE_SYNC));
    f.receive(ReplicaFixture.appendFromN2(2, 1, 1, List.of(Entry.noop(2, 2)), 1));
    assertEquals(List.of("send APPEND_RESPONSE to n2", "append 2..2", "sync"), withoutHardState(f.calls));
  }

  @Test
  void aVoteIsGrantedOnlyAfterTheTermAndVoteAreSynced() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.tick(3 * ReplicaFixture.ELECTION_TICKS); // n1 itself may campaign: that is fine, n2's term is higher
    f.clear();
    f.receive(new leasekv.raft.Message(MessageType.VOTE, "n2", "n1", 50, 1, 1, List.of(), 0, false, 0, null, 0, false));
    assertEquals(List.of("hard state", "sync", "send VOTE_RESPONSE to n2"), f.calls);
    assertFalse(f.sent(MessageType.VOTE_RESPONSE).get(0).reject());
  }

  @Test
  void aNewLeaderSendsItsAppendsBeforeItsOwnSync() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.tick(3 * ReplicaFixture.ELECTION_TICKS);
    List<leasekv.raft.Message> votes = f.sent(MessageType.VOTE);
    if (votes.isEmpty()) { // pre-vote first
      leasekv.raft.Message pv = f.sent(MessageType.PRE_VOTE).stream().filter(m -> m.to().equals("n2")).findFirst().orElseThrow();
      f.receive(ReplicaFixture.reply(pv, MessageType.PRE_VOTE_RESPONSE, pv.term(), false));
      votes = f.sent(MessageType.VOTE);
    }
    leasekv.raft.Message vote = votes.stream().filter(m -> m.to().equals("n2")).findFirst().orElseThrow();
    f.clear();
    f.receive(ReplicaFixture.reply(vote, MessageType.VOTE_RESPONSE, vote.term(), false));
    assertEquals(Role.LEADER, f.replica.status().role());
    int firstAppend = f.calls.indexOf("send APPEND to n2");
    int append = f.calls.indexOf("append 2..2");
    int sync = f.calls.indexOf("sync");
    assertTrue(firstAppend >= 0 && firstAppend < append && append < sync, f.calls.toString());
    assertTrue(f.calls.indexOf("send APPEND to n3") < sync, f.calls.toString());
    assertEquals(1, f.replica.status().commitIndex(), "its new entry needs a follower's copy too");
    leasekv.raft.Message toN2 = f.sent(MessageType.APPEND).stream().filter(m -> m.to().equals("n2")).findFirst().orElseThrow();
    f.receive(ReplicaFixture.ack(toN2));
    assertEquals(2, f.replica.status().commitIndex());
    assertEquals(2, f.replica.appliedIndex());
  }
}
