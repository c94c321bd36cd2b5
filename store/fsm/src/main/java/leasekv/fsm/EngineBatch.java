package leasekv.fsm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The writes of one {@link KvEngine#write}, in order: applied all together or not at all. */
public final class EngineBatch {
  /** One write: a put (value non-null), a delete (value and rangeEnd null) or a range delete [key, rangeEnd). */
  public record Op(byte[] key, byte[] value, byte[] rangeEnd) {
    public boolean isPut() {
      return value != null;
    }

    public boolean isRangeDelete() {
      return rangeEnd != null;
    }
  }

  private final List<Op> ops = new ArrayList<>();

  public void put(byte[] key, byte[] value) {
    ops.add(new Op(key, value, null));
  }

  public void delete(byte[] key) {
    ops.add(new Op(key, null, null));
  }

  /** Deletes every key in [from, to). */
  public void deleteRange(byte[] from, byte[] to) {
    ops.add(new Op(from, null, to));
  }

  public List<Op> ops() {
    return Collections.unmodifiableList(ops);
  }

  public boolean isEmpty() {
    return ops.isEmpty();
  }
}
