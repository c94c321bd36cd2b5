package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a leader (n1 of three, driven by hand) paces its appends to n2 from n2's answers. */
class LeaderFlowTest {
  private final OneCore one = new OneCore("n1", "n2", "n3");
  private long term;

  /** n1 leads; n2 acknowledged the leader's first entry (2), so n2 is being streamed to. */
  private void lead() {
    term = one.lead();
  }

  private Message ack(Message append) {
    long last = append.entries().isEmpty() ? append.index() : append.entries().get(append.entries().size() - 1).index();
    return new Message(MessageType.APPEND_RESPONSE, "n2", "n1", term, 0, last, List.of(), 0, false, 0, null, append.seq(), false);
  }

  private List<Message> appendsToN2(List<Message> out) {
    return out.stream().filter(m -> m.type() == MessageType.APPEND && m.to().equals("n2")).toList();
  }

  private List<Message> propose() {
    one.core.propose(new byte[] {1});
    return one.drive();
  }

  private List<Message> heartbeatRound() {
    List<Message> out = List.of();
    for (int i = 0; i < 5 && out.stream().noneMatch(m -> m.type() == MessageType.HEARTBEAT); i++) {
      one.core.tick();
      out = one.drive();
    }
    return out;
  }

  @Test
  void aFollowerBeingStreamedToGetsEveryNewEntryAtOnce() {
    lead();
    assertEquals(1, appendsToN2(propose()).size());
    assertEquals(1, appendsToN2(propose()).size(), "no wait for the previous append's answer");
  }

  @Test
  void anUnreachableFollowerIsProbedOneAppendAtATime() {
    lead();
    one.core.reportUnreachable("n2");
    assertEquals(1, appendsToN2(propose()).size(), "one probe");
    assertEquals(0, appendsToN2(propose()).size(), "then nothing until it answers");
  }

  @Test
  void aHeartbeatAnswerWithoutProgressResendsTheMissingEntries() {
    lead();
    List<Message> lost = appendsToN2(propose()); // this append never arrives
    assertEquals(1, lost.size());
    Message hb = heartbeatRound().stream().filter(m -> m.type() == MessageType.HEARTBEAT && m.to().equals("n2")).findFirst()
        .orElseThrow();
    List<Message> afterFirst = one.step(new Message(MessageType.HEARTBEAT_RESPONSE, "n2", "n1", term, 0, 0, List.of(), 0,
        false, 0, null, hb.seq(), false));
    Message hb2 = heartbeatRound().stream().filter(m -> m.type() == MessageType.HEARTBEAT && m.to().equals("n2"))
        .findFirst().orElseThrow();
    List<Message> afterSecond = one.step(new Message(MessageType.HEARTBEAT_RESPONSE, "n2", "n1", term, 0, 0, List.of(), 0,
        false, 0, null, hb2.seq(), false));
    List<Message> resent = appendsToN2(afterFirst.isEmpty() ? afterSecond : afterFirst);
    assertEquals(1, resent.size(), "a whole heartbeat interval without progress: probed again");
    assertEquals(lost.get(0).entries(), resent.get(0).entries());
  }

  @Test
  void aHeartbeatAnswerFromACaughtUpFollowerSendsNoAppend() {
    lead();
    Message hb = heartbeatRound().stream().filter(m -> m.type() == MessageType.HEARTBEAT && m.to().equals("n2")).findFirst()
        .orElseThrow();
    List<Message> out = one.step(new Message(MessageType.HEARTBEAT_RESPONSE, "n2", "n1", term, 0, 0, List.of(), 0, false,
        0, null, hb.seq(), false));
    assertTrue(appendsToN2(out).isEmpty(), out.toString());
  }
}
