package leasekv.node;

/** A configuration the node refuses to start with; the message names the option that is wrong. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
