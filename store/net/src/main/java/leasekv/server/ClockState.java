package leasekv.server;

/** The reply of {@code ADMIN CLOCK}: the injected clock's rate, its offset and its current reading. */
public record ClockState(double rate, long offsetNanos, long nowNanos) {
}
