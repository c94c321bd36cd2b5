package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import leasekv.raft.testing.MemoryLogStorage;
import org.junit.jupiter.api.Test;

/** One core (n1 of five) driven message by message: campaigns, vote counting, stale terms. */
class VoteCountingTest {
  private final OneCore one = new OneCore("n1", "n2", "n3", "n4", "n5");
  private final RaftCore core = one.core;
  private final MemoryLogStorage storage = one.storage;

  private List<Message> drive() {
    return one.drive();
  }

  private List<Message> step(MessageType type, String from, long term, boolean reject) {
    return one.step(type, from, term, reject);
  }

  /** Campaigns through the pre-vote with n2's and n3's grants; returns the candidate's term. */
  private long becomeCandidate() {
    drive();
    core.campaign();
    drive();
    assertEquals(Role.PRE_CANDIDATE, core.role());
    step(MessageType.PRE_VOTE_RESPONSE, "n2", core.term() + 1, false);
    step(MessageType.PRE_VOTE_RESPONSE, "n3", core.term() + 1, false);
    assertEquals(Role.CANDIDATE, core.role());
    return core.term();
  }

  @Test
  void aCandidateWinsWithAMajorityCountingItself() {
    long term = becomeCandidate();
    step(MessageType.VOTE_RESPONSE, "n2", term, false);
    assertEquals(Role.CANDIDATE, core.role(), "two of five");
    step(MessageType.VOTE_RESPONSE, "n9", term, false); // not a voter: does not count
    assertEquals(Role.CANDIDATE, core.role());
    step(MessageType.VOTE_RESPONSE, "n3", term, false);
    assertEquals(Role.LEADER, core.role());
  }

  @Test
  void aCandidateLosesOnlyOnceAMajorityRefused() {
    long term = becomeCandidate();
    step(MessageType.VOTE_RESPONSE, "n2", term, true);
    step(MessageType.VOTE_RESPONSE, "n3", term, true);
    assertEquals(Role.CANDIDATE, core.role(), "two refusals of five: three could still grant");
    step(MessageType.VOTE_RESPONSE, "n4", term, true);
    assertEquals(Role.FOLLOWER, core.role());
    assertEquals(term, core.term(), "losing does not change the term");
  }

  @Test
  void aCandidateCountsOnlyTheAnswersToItsOwnKindOfRequest() {
    long term = becomeCandidate();
    step(MessageType.PRE_VOTE_RESPONSE, "n4", term, false);
    step(MessageType.PRE_VOTE_RESPONSE, "n5", term, false);
    assertEquals(Role.CANDIDATE, core.role(), "late pre-vote answers are no votes");
    core.campaign(); // back to pre-candidate
    drive();
    assertEquals(Role.PRE_CANDIDATE, core.role());
    step(MessageType.VOTE_RESPONSE, "n4", term, false);
    step(MessageType.VOTE_RESPONSE, "n5", term, false);
    assertEquals(Role.PRE_CANDIDATE, core.role(), "and vote answers are no pre-votes");
  }

  @Test
  void aCandidateThatHearsFromALeaderOfItsTermFollowsItAndHandlesTheMessage() {
    long term = becomeCandidate();
    List<Message> out = step(MessageType.HEARTBEAT, "n2", term, false);
    assertEquals(Role.FOLLOWER, core.role());
    assertEquals("n2", core.status().leaderId());
    assertEquals(List.of(MessageType.HEARTBEAT_RESPONSE), out.stream().map(Message::type).toList());
  }

  @Test
  void aMessageFromAnOlderTermGetsTheCurrentTermOnlyFromALeaderOrAPreCandidate() {
    long term = becomeCandidate();
    List<Message> toLeader = step(MessageType.HEARTBEAT, "n2", term - 1, false);
    assertEquals(1, toLeader.size());
    assertEquals(MessageType.APPEND_RESPONSE, toLeader.get(0).type());
    assertEquals(term, toLeader.get(0).term());
    assertEquals(0, toLeader.get(0).seq(), "it counts toward no lease");
    List<Message> toPreCandidate = step(MessageType.PRE_VOTE, "n3", term - 1, false);
    assertEquals(1, toPreCandidate.size());
    assertEquals(MessageType.PRE_VOTE_RESPONSE, toPreCandidate.get(0).type());
    assertTrue(toPreCandidate.get(0).reject());
    assertEquals(term, toPreCandidate.get(0).term());
    assertEquals(List.of(), step(MessageType.VOTE, "n4", term - 1, false));
    assertEquals(List.of(), step(MessageType.APPEND_RESPONSE, "n4", term - 1, false));
    assertEquals(Role.CANDIDATE, core.role());
  }

  @Test
  void aFollowerGrantsOneCandidatePerTermAgainIfAskedAgain() {
    drive();
    long term = core.term() + 5;
    List<Message> first = step(MessageType.VOTE, "n2", term, false);
    assertFalse(first.get(0).reject());
    assertEquals("n2", storage.hardState().votedFor());
    assertFalse(step(MessageType.VOTE, "n2", term, false).get(0).reject(), "a repeated request is granted again");
    Message other = step(MessageType.VOTE, "n3", term, false).get(0);
    assertTrue(other.reject());
    assertEquals(term, other.term());
    assertTrue(step(MessageType.PRE_VOTE, "n3", term, false).get(0).reject(), "a pre-vote for this term too");
    assertFalse(step(MessageType.PRE_VOTE, "n3", term + 1, false).get(0).reject(), "a pre-vote for the next term is not bound");
    assertEquals(term, core.term(), "and a pre-vote moves no term");
  }
}
