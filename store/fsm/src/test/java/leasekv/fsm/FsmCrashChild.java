package leasekv.fsm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import leasekv.raft.Entry;

/**
 * Run in a separate JVM by {@link FsmPowerLossTest}: applies batches in nosync mode with RocksDB's
 * WAL buffered in process memory, prints what it applied and made durable, then halts without any
 * cleanup. Dying this way loses exactly what was never synced, as a power loss does.
 *
 * <p>Args: dir unsafe(true|false) batches entriesPerBatch durableEveryBatches
 */
public final class FsmCrashChild {
  private FsmCrashChild() {}

  /** Entry i appends "i" to the list "acked": the list shows exactly which entries took effect. */
  static List<Entry> batch(long firstIndex, int n) {
    List<Entry> out = new ArrayList<>();
    for (long i = firstIndex; i < firstIndex + n; i++) {
      Command c = new Command.RPush(null, "acked".getBytes(StandardCharsets.UTF_8), List.of(Long.toString(i).getBytes(StandardCharsets.UTF_8)));
      out.add(Entry.normal(1, i, CommandCodec.encode(c)));
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    boolean unsafe = Boolean.parseBoolean(args[1]);
    int batches = Integer.parseInt(args[2]);
    int perBatch = Integer.parseInt(args[3]);
    int durableEvery = Integer.parseInt(args[4]);
    FsmOptions options = FsmOptions.defaults(dir).withUnsafeAppliedIndexAheadOfData(unsafe).withCrashLosesUnsyncedWrites(true);
    StateMachine fsm = StateMachine.open(options);
    for (int b = 0; b < batches; b++) {
      fsm.apply(batch(fsm.appliedIndex() + 1, perBatch));
      System.out.println("applied " + fsm.appliedIndex());
      if ((b + 1) % durableEvery == 0) System.out.println("durable " + fsm.makeDurable());
    }
    System.out.println("durable-claimed " + fsm.durableAppliedIndex());
    System.out.flush();
    Runtime.getRuntime().halt(0); // the "power loss": no close, no flush
  }
}
