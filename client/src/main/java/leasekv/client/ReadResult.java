package leasekv.client;

/**
 * The reply of {@code READ key}: the value (null when absent), the node that served it, its term, how
 * it was served ({@code lease}, {@code read-index} or {@code local-unsafe}) and its applied index.
 */
public record ReadResult(String value, String servedBy, long term, String readMode, long appliedIndex) {
}
