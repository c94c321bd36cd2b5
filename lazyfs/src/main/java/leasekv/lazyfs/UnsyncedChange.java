package leasekv.lazyfs;

/**
 * One change an application made to a file's data since its last sync, in the order made: what a
 * partial power loss ({@link PartialLoss}) keeps a prefix of, or tears.
 */
sealed interface UnsyncedChange {
    /** Bytes of data this change holds in memory. */
    default long bytes() {
        return 0;
    }

    /** {@code pwrite(data, offset)}; the data are a copy taken when it was written. */
    record Write(long offset, byte[] data) implements UnsyncedChange {
        @Override
        public long bytes() {
            return data.length;
        }
    }

    /** {@code ftruncate(size)}. */
    record Truncate(long size) implements UnsyncedChange {
    }

    /** {@code fallocate} mode 0: the file grows to at least {@code size}. */
    record Extend(long size) implements UnsyncedChange {
    }
}
