package leasekv.raft;

import java.util.Objects;

/** A single-server membership change: add or remove one voter. */
public record ConfChange(Type type, String nodeId) {
  public enum Type { ADD_VOTER, REMOVE_VOTER }

  public ConfChange {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(nodeId, "nodeId");
    if (nodeId.isEmpty() || nodeId.contains(",")) {
      throw new IllegalArgumentException("bad node id for a membership change: '" + nodeId + "'");
    }
  }

  public static ConfChange addVoter(String nodeId) {
    return new ConfChange(Type.ADD_VOTER, nodeId);
  }

  public static ConfChange removeVoter(String nodeId) {
    return new ConfChange(Type.REMOVE_VOTER, nodeId);
  }

  /** The configuration after this change, or an exception naming why it cannot apply to {@code current}. */
  ConfState applyTo(ConfState current) {
    switch (type) {
      case ADD_VOTER:
        if (current.isVoter(nodeId)) throw invalid(nodeId + " is already a voter of " + current.voters());
        return current.withVoter(nodeId);
      case REMOVE_VOTER:
        if (!current.isVoter(nodeId)) throw invalid(nodeId + " is not a voter of " + current.voters());
        if (current.voters().size() == 1) throw invalid("cannot remove the last voter " + nodeId);
        return current.withoutVoter(nodeId);
      default:
        throw new AssertionError(type);
    }
  }

  private static ProposalRejectedException invalid(String why) {
    return new ProposalRejectedException(ProposalRejectedException.Reason.INVALID_CONF_CHANGE, null, why);
  }
}
