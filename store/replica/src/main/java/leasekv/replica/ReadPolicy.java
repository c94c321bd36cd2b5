package leasekv.replica;

/** How a leader serves linearizable reads ({@code --read-mode}). */
public enum ReadPolicy {
  /** From the lease when it holds, else by a ReadIndex round. */
  LEASE,
  /** Always by a ReadIndex round (the control for lease reads). */
  READ_INDEX
}
