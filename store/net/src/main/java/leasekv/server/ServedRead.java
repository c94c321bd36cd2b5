package leasekv.server;

/** The reply of {@code READ key}: the value (null when absent) and how it was served. */
public record ServedRead(byte[] value, String servedBy, long term, ReadMode readMode, long appliedIndex) {
}
