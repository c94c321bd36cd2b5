package leasekv.raft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The voting membership of the group. Immutable; voters are kept sorted so that equal
 * configurations encode to equal bytes.
 */
public record ConfState(List<String> voters) {
  public ConfState {
    voters = List.copyOf(new TreeSet<>(voters));
    for (String v : voters) {
      if (v.isEmpty() || v.contains(",")) throw new IllegalArgumentException("bad node id: '" + v + "'");
    }
  }

  public static ConfState of(Collection<String> voters) {
    return new ConfState(new ArrayList<>(voters));
  }

  public boolean isVoter(String id) {
    return voters.contains(id);
  }

  /** Votes needed for a majority of this configuration. */
  public int quorum() {
    return voters.size() / 2 + 1;
  }

  public ConfState withVoter(String id) {
    List<String> next = new ArrayList<>(voters);
    next.add(id);
    return new ConfState(next);
  }

  public ConfState withoutVoter(String id) {
    List<String> next = new ArrayList<>(voters);
    next.remove(id);
    return new ConfState(next);
  }

  public byte[] encode() {
    return String.join(",", voters).getBytes(StandardCharsets.UTF_8);
  }

  public static ConfState decode(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    return new ConfState(s.isEmpty() ? List.of() : List.of(s.split(",")));
  }
}
