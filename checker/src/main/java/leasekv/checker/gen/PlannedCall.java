package leasekv.checker.gen;

import java.util.Arrays;
import java.util.List;

/**
 * One register op of a generated crash history, as planned: who invoked it and when, when it took effect
 * (its linearization point) and completed, whether it crashed, and what it did to the register.
 */
final class PlannedCall {
    enum Kind {
        READ("read"), WRITE("write"), CAS("cas");

        final String f;

        Kind(String f) {
            this.f = f;
        }
    }

    final long key;
    final long process;
    final long invokeNanos;
    final long pointNanos;
    final long completeNanos;
    final boolean crashed;
    final boolean tookEffect;
    Kind kind;
    /** For a write its value; for a cas {@code [expected new]}; null for a read. */
    Object invocationValue;
    /** What an {@code :ok} read returned. */
    Long readResult;
    /** For a cas: whether it swapped. */
    boolean swapped;
    /** The register's value just before the linearization point, for ops that took effect. */
    Long valueBefore;
    /** Set when emitted: the {@code :index} of the completion. */
    long completionIndex = -1;

    PlannedCall(long key, long process, long invokeNanos, long pointNanos, long completeNanos, boolean crashed,
            boolean tookEffect, Kind kind) {
        this.key = key;
        this.process = process;
        this.invokeNanos = invokeNanos;
        this.pointNanos = pointNanos;
        this.completeNanos = completeNanos;
        this.crashed = crashed;
        this.tookEffect = tookEffect;
        this.kind = kind;
    }

    /** Completed {@code :ok} (not crashed, and a cas that swapped). */
    boolean isOk() {
        return !crashed && (kind != Kind.CAS || swapped);
    }

    /** Acknowledged and changed the register: an {@code :ok} write or an {@code :ok} cas. */
    boolean isAcknowledgedChange() {
        return isOk() && kind != Kind.READ;
    }

    /** The value an op that took effect left in the register (a write's value, a swapped cas's new one), or null. */
    Long writtenValue() {
        if (kind == Kind.WRITE) {
            return (Long) invocationValue;
        }
        return kind == Kind.CAS && swapped ? (Long) ((List<?>) invocationValue).get(1) : null;
    }

    /** True if this op's completion came before {@code other} was invoked, so every linearization orders them. */
    boolean completedBefore(PlannedCall other) {
        return completeNanos < other.invokeNanos;
    }

    static List<Object> cas(Long expected, long newValue) {
        return Arrays.asList(expected, newValue);
    }
}
