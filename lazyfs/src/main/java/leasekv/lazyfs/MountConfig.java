package leasekv.lazyfs;

import java.nio.file.Path;

/**
 * What to mount and how.
 *
 * @param maxPendingBytes unsynced page memory above which the largest files are written back
 * @param maxPendingOps   pending namespace ops above which the oldest tenth is committed
 */
public record MountConfig(Path backing, Path mountPoint, NamespaceDurability durability, long maxPendingBytes,
                          int maxPendingOps, boolean debug) {
    public static final long DEFAULT_MAX_PENDING_BYTES = 256L << 20;
    public static final int DEFAULT_MAX_PENDING_OPS = 100_000;

    public MountConfig {
        backing = backing.toAbsolutePath().normalize();
        mountPoint = mountPoint.toAbsolutePath().normalize();
    }

    public static MountConfig of(Path backing, Path mountPoint, NamespaceDurability durability) {
        return new MountConfig(backing, mountPoint, durability, DEFAULT_MAX_PENDING_BYTES, DEFAULT_MAX_PENDING_OPS,
                false);
    }
}
