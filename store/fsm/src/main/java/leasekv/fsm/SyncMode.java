package leasekv.fsm;

/** Whether each applied batch is fsynced ({@code --fsm-sync-mode}). */
public enum SyncMode {
  /** WriteOptions.sync=true: every applied batch is durable when apply returns (~40x slower). */
  SYNC,
  /**
   * WriteOptions.sync=false with RocksDB's WAL on: a process crash loses nothing; a power loss rolls
   * back to an older consistent prefix (data, applied index and de-dup table together), which the
   * Raft WAL replay repairs. The node compacts its log only up to {@link StateMachine#durableAppliedIndex()}.
   */
  NOSYNC;

  public static SyncMode parse(String s) {
    return switch (s) {
      case "sync" -> SYNC;
      case "nosync" -> NOSYNC;
      default -> throw new IllegalArgumentException("fsm sync mode must be sync or nosync, was '" + s + "'");
    };
  }
}
