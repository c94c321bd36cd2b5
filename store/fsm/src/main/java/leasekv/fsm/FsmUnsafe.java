package leasekv.fsm;

/**
 * Deliberately broken behaviour of the state machine, each breaking one durability rule of
 * docs/rules.md; off unless named (the node's {@code --unsafe}, only with {@code --test-hooks}).
 */
public enum FsmUnsafe {
  /** D1: the applied index is synced in its own write, ahead of the unsynced data batch. */
  APPLIED_INDEX_AHEAD_OF_DATA,
  /** D2: a retried request (same client id and seq) is applied again instead of answered from the de-dup table. */
  DEDUP_SKIPPED,
  /** D2: the de-dup records go into a batch of their own after the data batch, not atomically with it. */
  DEDUP_OUTSIDE_BATCH
}
