package leasekv.fsm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import leasekv.fsm.Command.ClientTag;

/**
 * Executes the commands of one apply() call into one {@link EngineBatch}, together with each tagged
 * command's de-duplication record: the data and the record that it was applied are written in the
 * same atomic batch, so a replay after any crash either finds both or neither (durability rule 3).
 * Reads see the batch's own earlier writes through an overlay, so entries in the same batch behave
 * exactly as if applied one by one.
 */
final class BatchApplier {
  private static final byte[] DELETED = new byte[0];

  private final KvEngine engine;
  private final boolean unsafeSkipDedup;
  final EngineBatch batch = new EngineBatch();
  /** Where the de-dup records go: {@link #batch}, or (UNSAFE dedup-outside-batch) a batch of their own. */
  final EngineBatch dedupBatch;
  private final Map<Bytes, byte[]> overlay = new HashMap<>();

  BatchApplier(KvEngine engine) {
    this(engine, java.util.Set.of());
  }

  BatchApplier(KvEngine engine, java.util.Set<FsmUnsafe> unsafe) {
    this.engine = engine;
    this.unsafeSkipDedup = unsafe.contains(FsmUnsafe.DEDUP_SKIPPED);
    this.dedupBatch = unsafe.contains(FsmUnsafe.DEDUP_OUTSIDE_BATCH) ? new EngineBatch() : batch;
  }

  /** Applies a command at most once per client tag and returns its result. */
  ApplyResult execute(Command c) throws IOException {
    ClientTag tag = c.tag();
    if (tag == null || unsafeSkipDedup) return run(c); // UNSAFE dedup-skipped: every retry applies again
    byte[] clientKey = Keys.client(tag.clientId());
    byte[] last = get(clientKey);
    if (last != null) {
      ByteBuffer b = ByteBuffer.wrap(last);
      long lastSeq = b.getLong();
      if (tag.seq() == lastSeq) return ApplyResult.decode(b); // a retry: the recorded result, not applied again
      if (tag.seq() < lastSeq) {
        return ApplyResult.error("ERR", "stale request: seq " + tag.seq() + " of client " + tag.clientId()
            + " is older than its last applied seq " + lastSeq);
      }
    }
    ApplyResult result = run(c);
    byte[] encoded = result.encode();
    byte[] record = ByteBuffer.allocate(8 + encoded.length).putLong(tag.seq()).put(encoded).array();
    dedupBatch.put(clientKey, record);
    overlay.put(new Bytes(clientKey), record);
    return result;
  }

  /** Looks up a client's recorded result for {@code seq}, or null (used for skipped entries). */
  ApplyResult recordedResult(ClientTag tag) throws IOException {
    byte[] last = get(Keys.client(tag.clientId()));
    if (last == null) return null;
    ByteBuffer b = ByteBuffer.wrap(last);
    return b.getLong() == tag.seq() ? ApplyResult.decode(b) : null;
  }

  void put(byte[] key, byte[] value) {
    batch.put(key, value);
    overlay.put(new Bytes(key), value);
  }

  private ApplyResult run(Command c) throws IOException {
    if (c instanceof Command.Set s) return set(s);
    if (c instanceof Command.Cas x) return cas(x);
    if (c instanceof Command.RPush r) return rpush(r);
    return del((Command.Del) c);
  }

  private ApplyResult set(Command.Set s) throws IOException {
    byte[] k = Keys.value(s.key());
    if (Keys.isList(get(k))) return ApplyResult.wrongType();
    put(k, Keys.stringValue(s.value()));
    return ApplyResult.OK;
  }

  private ApplyResult cas(Command.Cas x) throws IOException {
    byte[] k = Keys.value(x.key());
    byte[] stored = get(k);
    if (stored == null) return ApplyResult.bool(false);
    if (Keys.isList(stored)) return ApplyResult.wrongType();
    if (!Arrays.equals(Keys.stringPayload(stored), x.expected())) return ApplyResult.bool(false);
    put(k, Keys.stringValue(x.newValue()));
    return ApplyResult.bool(true);
  }

  /** Appends by writing only the new elements and the length: never rewrites the list. */
  private ApplyResult rpush(Command.RPush r) throws IOException {
    byte[] k = Keys.value(r.key());
    byte[] stored = get(k);
    if (stored != null && !Keys.isList(stored)) return ApplyResult.wrongType();
    long length = stored == null ? 0 : Keys.listLength(stored);
    for (byte[] v : r.values()) batch.put(Keys.element(r.key(), length++), v);
    put(k, Keys.listMeta(length));
    return ApplyResult.integer(length);
  }

  private ApplyResult del(Command.Del d) throws IOException {
    byte[] k = Keys.value(d.key());
    byte[] stored = get(k);
    if (stored == null) return ApplyResult.integer(0);
    if (Keys.isList(stored)) batch.deleteRange(Keys.element(d.key(), 0), Keys.element(d.key(), Keys.listLength(stored)));
    batch.delete(k);
    overlay.put(new Bytes(k), DELETED);
    return ApplyResult.integer(1);
  }

  private byte[] get(byte[] key) throws IOException {
    byte[] v = overlay.get(new Bytes(key));
    if (v == DELETED) return null;
    return v != null ? v : engine.get(key);
  }

  /** A byte[] usable as a map key. */
  private record Bytes(byte[] b) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes other && Arrays.equals(b, other.b);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(b);
    }
  }
}
