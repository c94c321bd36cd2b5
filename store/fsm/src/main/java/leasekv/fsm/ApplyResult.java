package leasekv.fsm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The outcome of applying one entry, returned to the node in entry order and recorded in the
 * de-duplication table for tagged commands (so a retry gets exactly this back).
 *
 * @param kind what the result holds
 * @param number the integer for LONG, 1/0 for BOOL
 * @param errorCode for ERROR: the reply's first word (WRONGTYPE, ERR)
 * @param errorMessage for ERROR: the rest of the reply
 */
public record ApplyResult(Kind kind, long number, String errorCode, String errorMessage) {
  public enum Kind {
    /** SET succeeded. */
    OK,
    /** CAS: number is 1 (swapped) or 0. */
    BOOL,
    /** DEL, RPUSH: the integer reply. */
    LONG,
    /** The command was refused; nothing changed. */
    ERROR,
    /** A NOOP or CONFIG entry: no client waits for it. */
    NONE,
    /** The entry was at or below the applied index and was skipped (it had been applied before). */
    SKIPPED
  }

  public static final ApplyResult OK = new ApplyResult(Kind.OK, 0, null, null);
  public static final ApplyResult NONE = new ApplyResult(Kind.NONE, 0, null, null);
  public static final ApplyResult SKIPPED = new ApplyResult(Kind.SKIPPED, 0, null, null);

  public ApplyResult {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.ERROR) {
      Objects.requireNonNull(errorCode, "errorCode");
      Objects.requireNonNull(errorMessage, "errorMessage");
    }
  }

  public static ApplyResult bool(boolean b) {
    return new ApplyResult(Kind.BOOL, b ? 1 : 0, null, null);
  }

  public static ApplyResult integer(long n) {
    return new ApplyResult(Kind.LONG, n, null, null);
  }

  public static ApplyResult error(String code, String message) {
    return new ApplyResult(Kind.ERROR, 0, code, message);
  }

  public static ApplyResult wrongType() {
    return error("WRONGTYPE", "Operation against a key holding the wrong kind of value");
  }

  public boolean isError() {
    return kind == Kind.ERROR;
  }

  public boolean asBoolean() {
    return number != 0;
  }

  byte[] encode() {
    byte[] code = kind == Kind.ERROR ? errorCode.getBytes(StandardCharsets.UTF_8) : new byte[0];
    byte[] msg = kind == Kind.ERROR ? errorMessage.getBytes(StandardCharsets.UTF_8) : new byte[0];
    return ByteBuffer.allocate(1 + 8 + 4 + code.length + 4 + msg.length)
        .put((byte) kind.ordinal()).putLong(number).putInt(code.length).put(code).putInt(msg.length).put(msg).array();
  }

  static ApplyResult decode(ByteBuffer b) {
    Kind kind = Kind.values()[b.get()];
    long number = b.getLong();
    byte[] code = new byte[b.getInt()];
    b.get(code);
    byte[] msg = new byte[b.getInt()];
    b.get(msg);
    if (kind != Kind.ERROR) return new ApplyResult(kind, number, null, null);
    return new ApplyResult(kind, number, new String(code, StandardCharsets.UTF_8), new String(msg, StandardCharsets.UTF_8));
  }
}
