package leasekv.fsm;

/** A read of the wrong kind of value: GET on a list or LRANGE on a string. The reply is WRONGTYPE. */
public final class WrongTypeException extends RuntimeException {
  public WrongTypeException() {
    super("WRONGTYPE Operation against a key holding the wrong kind of value");
  }
}
