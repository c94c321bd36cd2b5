package leasekv.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import leasekv.raft.testing.ManualClock;
import leasekv.raft.testing.MemoryLogStorage;
import leasekv.raft.testing.RaftGroup;

/** One core, n1 of the given voters, driven message by message with its Readys persisted in memory. */
final class OneCore {
  final MemoryLogStorage storage = new MemoryLogStorage();
  final RaftCore core;

  OneCore(String... voters) {
    core = new RaftCore(RaftGroup.testConfig("n1").initialVoters(List.of(voters)).build(), storage, new ManualClock(0),
        new Random(1));
  }

  /** Works off every Ready as a node would and returns the messages sent. */
  List<Message> drive() {
    List<Message> out = new ArrayList<>();
    while (core.hasReady()) {
      Ready r = core.ready();
      if (r.snapshot() != null) storage.installSnapshot(r.snapshot());
      storage.append(r.entries());
      if (r.hardState() != null) storage.setHardState(r.hardState());
      out.addAll(r.messages());
      core.advance(r);
    }
    return out;
  }

  /** Steps {@code m} into the core and drives it. */
  List<Message> step(Message m) {
    core.step(m);
    return drive();
  }

  /** Makes n1 the leader with n2's pre-vote and vote, has n2 acknowledge its first entry (2), and returns its term. */
  long lead() {
    drive();
    core.campaign();
    drive();
    step(MessageType.PRE_VOTE_RESPONSE, "n2", core.term() + 1, false);
    List<Message> out = step(MessageType.VOTE_RESPONSE, "n2", core.term(), false);
    long term = core.term();
    Message first = out.stream().filter(m -> m.type() == MessageType.APPEND && m.to().equals("n2")).findFirst().orElseThrow();
    step(new Message(MessageType.APPEND_RESPONSE, "n2", "n1", term, 0, 2, List.of(), 0, false, 0, null, first.seq(), false));
    return term;
  }

  /** A message to n1 whose sender's log ends at 1@1 (the bootstrap entry). */
  List<Message> step(MessageType type, String from, long term, boolean reject) {
    return step(new Message(type, from, "n1", term, 1, 1, List.of(), 0, reject, 0, null, 0, false));
  }
}
