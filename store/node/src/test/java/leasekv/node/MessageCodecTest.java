package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.raft.SnapshotMeta;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private static Message append() {
    List<Entry> entries = List.of(
        Entry.noop(3, 10),
        Entry.normal(3, 11, new byte[] {1, 2, 3}),
        new Entry(3, 12, EntryType.CONFIG, new ConfState(List.of("n1", "n2")).encode()));
    return new Message(MessageType.APPEND, "n1", "n2", 3, 2, 9, entries, 8, false, 0, null, 77, false);
  }

  @Test
  void roundTripsEveryField() {
    Message m = append();
    assertEquals(m, MessageCodec.decode(MessageCodec.encode(m)));
    Message snap = new Message(MessageType.INSTALL_SNAPSHOT, "n1", "n3", 4, 0, 0, List.of(), 0, true, 5,
        new SnapshotMeta(100, 4, new ConfState(List.of("n1", "n2", "n3"))), 9, true);
    assertEquals(snap, MessageCodec.decode(MessageCodec.encode(snap)));
  }

  @Test
  void everyTruncationIsAClearError() {
    byte[] frame = MessageCodec.encode(append());
    for (int length = 0; length < frame.length; length++) {
      byte[] cut = Arrays.copyOf(frame, length);
      assertThrows(MessageCodec.MalformedFrameException.class, () -> MessageCodec.decode(cut), "length " + length);
    }
  }

  @Test
  void randomGarbageNeverEscapesAsAnotherException() {
    Random random = new Random(42);
    byte[] frame = MessageCodec.encode(append());
    for (int i = 0; i < 20_000; i++) {
      byte[] bad = frame.clone();
      bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
      try {
        MessageCodec.decode(bad);
      } catch (MessageCodec.MalformedFrameException expected) {
        // A flipped byte inside an entry's payload or a number still decodes; anything else must be this.
      }
    }
  }

  @Test
  void hugeCountsAreRefusedBeforeAllocating() {
    byte[] frame = MessageCodec.encode(new Message(MessageType.APPEND, "a", "b", 1, 0, 0, List.of(), 0, false, 0, null, 0, false));
    frame[frame.length - 1] = 0x7f; // the entry count, big-endian low byte
    frame[frame.length - 4] = 0x7f;
    assertThrows(MessageCodec.MalformedFrameException.class, () -> MessageCodec.decode(frame));
  }
}
