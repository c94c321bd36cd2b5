package leasekv.fsm;

import java.util.List;
import java.util.Objects;

/**
 * A state-machine command, carried in the data of a NORMAL Raft entry ({@link CommandCodec} makes
 * the bytes). Keys and values are binary. A command may carry a {@link ClientTag}: the state
 * machine then applies it at most once per (client id, seq) and answers a repeat with the recorded
 * result.
 */
public sealed interface Command {
  /** The client's de-duplication tag, or null. */
  ClientTag tag();

  byte[] key();

  /** A client id and a per-client sequence number that only grows. */
  record ClientTag(String clientId, long seq) {
    public ClientTag {
      Objects.requireNonNull(clientId, "clientId");
      if (clientId.isEmpty()) throw new IllegalArgumentException("empty client id");
      if (seq < 0) throw new IllegalArgumentException("negative seq");
    }
  }

  /** SET key value: replies OK. WRONGTYPE on a list. */
  record Set(ClientTag tag, byte[] key, byte[] value) implements Command {
    public Set {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** DEL key: replies 1 if the key existed (of either type), else 0. */
  record Del(ClientTag tag, byte[] key) implements Command {
    public Del {
      Objects.requireNonNull(key, "key");
    }
  }

  /** CAS key expected new: replies true and sets new iff the string value equals expected. */
  record Cas(ClientTag tag, byte[] key, byte[] expected, byte[] newValue) implements Command {
    public Cas {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(expected, "expected");
      Objects.requireNonNull(newValue, "newValue");
    }
  }

  /** RPUSH key v...: appends, replies the new length. WRONGTYPE on a string. */
  record RPush(ClientTag tag, byte[] key, List<byte[]> values) implements Command {
    public RPush {
      Objects.requireNonNull(key, "key");
      values = List.copyOf(values);
      if (values.isEmpty()) throw new IllegalArgumentException("RPUSH needs at least one value");
    }
  }
}
