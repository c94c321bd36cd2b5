package leasekv.lazyfs;

import jnr.constants.platform.Errno;

/** A failed system call on the backing directory; {@link #errno()} is what the FUSE caller sees. */
public final class ErrnoException extends Exception {
    private final int errno;

    public ErrnoException(int errno, String call, String subject) {
        // No stack trace: these are ordinary answers (ENOENT on a lookup), thrown thousands of times.
        super(call + " " + subject + ": " + describe(errno), null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    static String describe(int errno) {
        Errno e = Errno.valueOf(errno);
        return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name() + " (" + e.description() + ")";
    }
}
