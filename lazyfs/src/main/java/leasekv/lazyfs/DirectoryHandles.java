package leasekv.lazyfs;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Open directories: a FUSE directory handle names a descriptor on the backing directory. */
final class DirectoryHandles {
    private final ConcurrentHashMap<Long, Integer> fds = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    long open(int fd) {
        long handle = nextHandle.getAndIncrement();
        fds.put(handle, fd);
        return handle;
    }

    int fd(long handle) throws ErrnoException {
        Integer fd = fds.get(handle);
        if (fd == null) {
            throw new ErrnoException(Posix.EBADF, "directory handle", Long.toString(handle));
        }
        return fd;
    }

    void close(long handle) {
        Integer fd = fds.remove(handle);
        if (fd != null) {
            Posix.closeQuietly(fd);
        }
    }
}
