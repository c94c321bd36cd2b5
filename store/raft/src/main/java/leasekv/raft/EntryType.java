package leasekv.raft;

/** What a log entry carries. */
public enum EntryType {
  /** An application command; {@link Entry#data()} is opaque to Raft. */
  NORMAL,
  /** The empty entry a new leader appends at the start of its term, so that it can commit in its term. */
  NOOP,
  /** A membership change; {@link Entry#data()} is a {@link ConfState} encoded by {@link ConfState#encode()}. */
  CONFIG
}
