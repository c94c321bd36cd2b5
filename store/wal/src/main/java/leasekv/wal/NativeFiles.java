package leasekv.wal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Path;

/** fallocate(2) through JNA. Everything here degrades to "not supported" rather than failing. */
final class NativeFiles {
  private static final int O_WRONLY = 1;

  interface LibC extends Library {
    int open(String path, int flags);

    int fallocate(int fd, int mode, long offset, long length);

    int close(int fd);
  }

  private static final LibC LIBC = load();

  private NativeFiles() {}

  private static LibC load() {
    try {
      return Native.load("c", LibC.class);
    } catch (Throwable t) { // no JNA native support on this platform: no fallocate
      return null;
    }
  }

  /**
   * Allocates {@code [0, lengthBytes)} of an existing file. Returns 0 on success, else the errno
   * (EOPNOTSUPP=95 on filesystems that refuse, -1 when native calls are unavailable).
   */
  static int fallocate(Path file, long lengthBytes) {
    if (LIBC == null) return -1;
    int fd = LIBC.open(file.toString(), O_WRONLY);
    if (fd < 0) return Native.getLastError();
    try {
      return LIBC.fallocate(fd, 0, 0, lengthBytes) == 0 ? 0 : Native.getLastError();
    } finally {
      LIBC.close(fd);
    }
  }
}
