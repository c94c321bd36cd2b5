package leasekv.fsm;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import leasekv.fsm.Command.ClientTag;
import leasekv.raft.Entry;

/** Builds entries for state-machine tests. */
final class FsmTestSupport {
  private FsmTestSupport() {}

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  static Entry entry(long index, Command c) {
    return Entry.normal(1, index, CommandCodec.encode(c));
  }

  static Command set(String k, String v) {
    return new Command.Set(null, b(k), b(v));
  }

  static Command cas(ClientTag tag, String k, String expected, String v) {
    return new Command.Cas(tag, b(k), b(expected), b(v));
  }

  static Command rpush(String k, String... vs) {
    List<byte[]> values = new ArrayList<>();
    for (String v : vs) values.add(b(v));
    return new Command.RPush(null, b(k), values);
  }

  static Command del(String k) {
    return new Command.Del(null, b(k));
  }

  /** A deterministic mixed workload of n entries starting at index 1. */
  static List<Entry> workload(int n, long seed) {
    java.util.Random rnd = new java.util.Random(seed);
    List<Entry> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String k = "k" + rnd.nextInt(20);
      ClientTag tag = rnd.nextBoolean() ? new ClientTag("c" + rnd.nextInt(4), i) : null;
      Command c = switch (rnd.nextInt(5)) {
        case 0 -> new Command.Set(tag, b(k), b("v" + i));
        case 1 -> new Command.Cas(tag, b(k), b("v" + (i - rnd.nextInt(10))), b("w" + i));
        case 2 -> new Command.Del(tag, b(k));
        case 3 -> new Command.RPush(tag, b("list" + rnd.nextInt(3)), List.of(b("e" + i), b("f" + i)));
        default -> new Command.Set(tag, b("list" + rnd.nextInt(3)), b("wrongtype" + i));
      };
      out.add(i % 17 == 0 ? Entry.noop(1, i) : entry(i, c));
    }
    return out;
  }
}
