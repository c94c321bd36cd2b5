package leasekv.raft.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Decides which messages a test network delivers: partitions and one-way cuts, until healed. */
public final class Firewall {
  private final Set<String> droppedTo = new HashSet<>();
  private final Set<String> droppedFrom = new HashSet<>();
  private final List<Set<String>> sides = new ArrayList<>();
  private boolean everythingDropped;

  /** Only members on the same side can talk; a node on no side is unaffected. */
  @SafeVarargs
  public final void splitMembers(Collection<String>... groups) {
    sides.clear();
    for (Collection<String> g : groups) sides.add(new HashSet<>(g));
  }

  public void dropMessagesTo(String id) {
    droppedTo.add(id);
  }

  public void dropMessagesFrom(String id) {
    droppedFrom.add(id);
  }

  /** Cuts {@code id} off in both directions. */
  public void isolate(String id) {
    droppedTo.add(id);
    droppedFrom.add(id);
  }

  public void dropEverything(boolean on) {
    everythingDropped = on;
  }

  public void heal() {
    droppedTo.clear();
    droppedFrom.clear();
    sides.clear();
    everythingDropped = false;
  }

  public boolean allows(String from, String to) {
    if (everythingDropped || droppedTo.contains(to) || droppedFrom.contains(from)) return false;
    Set<String> fromSide = sideOf(from);
    Set<String> toSide = sideOf(to);
    return fromSide == null || toSide == null || fromSide == toSide;
  }

  private Set<String> sideOf(String id) {
    for (Set<String> s : sides) {
      if (s.contains(id)) return s;
    }
    return null;
  }
}
