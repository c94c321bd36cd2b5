package leasekv.server;

/**
 * The reply of {@code ADMIN CLOCK}: the injected monotonic clock's rate, its offset and its current
 * reading, and how far the node's wall clock was stepped (negative: behind real time).
 */
public record ClockState(double rate, long offsetNanos, long nowNanos, long wallOffsetNanos) {
}
