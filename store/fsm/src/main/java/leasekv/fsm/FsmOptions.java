package leasekv.fsm;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How to open the RocksDB {@link StateMachine}.
 *
 * @param dir the state machine's directory (holds the active RocksDB and checkpoints being received)
 * @param syncMode sync or nosync
 * @param unsafe deliberately broken behaviour ({@link FsmUnsafe}); empty in a real store
 * @param crashLosesUnsyncedWrites for crash tests only: RocksDB keeps unsynced WAL writes in process
 *     memory (manual WAL flush) until a sync, so killing the process loses them as a power loss would
 */
public record FsmOptions(Path dir, SyncMode syncMode, Set<FsmUnsafe> unsafe, boolean crashLosesUnsyncedWrites) {
  public FsmOptions {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(syncMode, "syncMode");
    unsafe = unsafe.isEmpty() ? Set.of() : Set.copyOf(unsafe);
  }

  /** @param unsafeAppliedIndexAheadOfData UNSAFE (mode {@code applied-index-ahead-of-data}) */
  public FsmOptions(Path dir, SyncMode syncMode, boolean unsafeAppliedIndexAheadOfData, boolean crashLosesUnsyncedWrites) {
    this(dir, syncMode, unsafeAppliedIndexAheadOfData ? EnumSet.of(FsmUnsafe.APPLIED_INDEX_AHEAD_OF_DATA) : Set.of(),
        crashLosesUnsyncedWrites);
  }

  public static FsmOptions defaults(Path dir) {
    return new FsmOptions(dir, SyncMode.NOSYNC, Set.of(), false);
  }

  public boolean unsafeAppliedIndexAheadOfData() {
    return unsafe.contains(FsmUnsafe.APPLIED_INDEX_AHEAD_OF_DATA);
  }

  public FsmOptions withSyncMode(SyncMode v) {
    return new FsmOptions(dir, v, unsafe, crashLosesUnsyncedWrites);
  }

  public FsmOptions withUnsafeAppliedIndexAheadOfData(boolean v) {
    return new FsmOptions(dir, syncMode, v, crashLosesUnsyncedWrites);
  }

  public FsmOptions withCrashLosesUnsyncedWrites(boolean v) {
    return new FsmOptions(dir, syncMode, unsafe, v);
  }
}
