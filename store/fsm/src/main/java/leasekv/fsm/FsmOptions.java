package leasekv.fsm;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to open a {@link StateMachine}.
 *
 * @param dir the state machine's directory (holds the active RocksDB and checkpoints being received)
 * @param syncMode sync or nosync
 * @param unsafeAppliedIndexAheadOfData UNSAFE (mode {@code applied-index-ahead-of-data}): persist the
 *     applied index in a separate synced write before the data batch
 * @param crashLosesUnsyncedWrites for crash tests only: RocksDB keeps unsynced WAL writes in process
 *     memory (manual WAL flush) until a sync, so killing the process loses them as a power loss would
 */
public record FsmOptions(Path dir, SyncMode syncMode, boolean unsafeAppliedIndexAheadOfData, boolean crashLosesUnsyncedWrites) {
  public FsmOptions {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(syncMode, "syncMode");
  }

  public static FsmOptions defaults(Path dir) {
    return new FsmOptions(dir, SyncMode.NOSYNC, false, false);
  }

  public FsmOptions withSyncMode(SyncMode v) {
    return new FsmOptions(dir, v, unsafeAppliedIndexAheadOfData, crashLosesUnsyncedWrites);
  }

  public FsmOptions withUnsafeAppliedIndexAheadOfData(boolean v) {
    return new FsmOptions(dir, syncMode, v, crashLosesUnsyncedWrites);
  }

  public FsmOptions withCrashLosesUnsyncedWrites(boolean v) {
    return new FsmOptions(dir, syncMode, unsafeAppliedIndexAheadOfData, v);
  }
}
