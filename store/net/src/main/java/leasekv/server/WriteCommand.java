package leasekv.server;

import java.util.List;

/**
 * A write that goes through consensus. The backend's result is a {@code long}: DEL 1 or 0, CAS 1 (swapped)
 * or 0, RPUSH the new length; SET's result is ignored and answered {@code +OK}.
 * Byte arrays are owned by the command from here on: nobody mutates them.
 */
public sealed interface WriteCommand {
    byte[] key();

    /** {@code SET key value}. */
    record Set(byte[] key, byte[] value) implements WriteCommand {
    }

    /** {@code DEL key}. */
    record Del(byte[] key) implements WriteCommand {
    }

    /** {@code CAS key expected new}: replaces the value only if it equals {@code expected}. */
    record Cas(byte[] key, byte[] expected, byte[] replacement) implements WriteCommand {
    }

    /** {@code RPUSH key v [v ...]}. */
    record RPush(byte[] key, List<byte[]> values) implements WriteCommand {
    }
}
