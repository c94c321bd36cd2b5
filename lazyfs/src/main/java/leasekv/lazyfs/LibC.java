package leasekv.lazyfs;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The few libc calls lazyfs makes on the backing directory. They return raw results (-1 and errno on
 * failure) so that a FUSE callback can hand the exact errno back to the kernel; see {@link Posix}.
 */
public interface LibC {
    int open(String path, int flags, int mode);

    int close(int fd);

    long pread(int fd, @Out Pointer buf, long count, long offset);

    long pread(int fd, @Out byte[] buf, long count, long offset);

    long pwrite(int fd, @In Pointer buf, long count, long offset);

    long pwrite(int fd, @In byte[] buf, long count, long offset);

    int fsync(int fd);

    int fdatasync(int fd);

    int syncfs(int fd);

    int ftruncate(int fd, long length);

    int fallocate(int fd, int mode, long offset, long length);

    int lstat(String path, @Out Pointer statBuffer);

    int fstat(int fd, @Out Pointer statBuffer);

    int statvfs(String path, @Out Pointer statvfsBuffer);

    int rename(String from, String to);

    int link(String existing, String newName);

    int symlink(String target, String linkPath);

    long readlink(String path, @Out Pointer buf, long size);

    int unlink(String path);

    int mkdir(String path, int mode);

    int rmdir(String path);

    int chmod(String path, int mode);

    int lchown(String path, int uid, int gid);

    int fchown(int fd, int uid, int gid);

    int utimensat(int dirFd, String path, @In Pointer times, int flags);
}
