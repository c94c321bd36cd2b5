package leasekv.lazyfs;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * Our own closures for the hot per-handle operations (read, write, fsync) and for fsyncdir, written
 * straight into libfuse's {@code struct fuse_operations}. jnr-fuse's wrappers allocate a FuseFileInfo
 * struct object per call (the largest Java cost of a small write), and its fsyncdir is declared
 * without the datasync argument, which shifts {@code fi}. These read the file handle from the raw
 * {@code struct fuse_file_info}. The path argument is NULL (libfuse runs with flag_nopath).
 */
final class NativeCallbacks {
    /** What the closures call. */
    interface Handler {
        int read(long handle, Pointer buf, long size, long offset);

        int write(long handle, Pointer buf, long size, long offset);

        int fsync(long handle, boolean dataOnly);

        int fsyncDirectory(long handle);
    }

    public interface ReadCallback {
        @Delegate
        int read(Pointer path, Pointer buf, @size_t long size, @off_t long offset, Pointer fi);
    }

    public interface WriteCallback {
        @Delegate
        int write(Pointer path, Pointer buf, @size_t long size, @off_t long offset, Pointer fi);
    }

    public interface FsyncCallback {
        @Delegate
        int fsync(Pointer path, int datasync, Pointer fi);
    }

    public interface FsyncdirCallback {
        @Delegate
        int fsyncdir(Pointer path, int datasync, Pointer fi);
    }

    /** Strong references: a native closure lives only as long as its Java object. */
    private final ReadCallback read;
    private final WriteCallback write;
    private final FsyncCallback fsync;
    private final FsyncdirCallback fsyncdir;

    private NativeCallbacks(Handler handler, long fh) {
        this.read = (path, buf, size, offset, fi) -> handler.read(fi.getLong(fh), buf, size, offset);
        this.write = (path, buf, size, offset, fi) -> handler.write(fi.getLong(fh), buf, size, offset);
        this.fsync = (path, datasync, fi) -> handler.fsync(fi.getLong(fh), datasync != 0);
        this.fsyncdir = (path, datasync, fi) -> handler.fsyncDirectory(fi.getLong(fh));
    }

    /** Installs the closures into {@code ops}; keep the answer reachable for as long as the mount lives. */
    static NativeCallbacks install(FuseOperations ops, Handler handler) {
        long fh = StructOffsets.of(FuseFileInfo.of(Memory.allocateDirect(Runtime.getSystemRuntime(), 64)).fh);
        NativeCallbacks callbacks = new NativeCallbacks(handler, fh);
        Pointer memory = Struct.getMemory(ops);
        memory.putPointer(StructOffsets.of(ops.read), closure(ReadCallback.class, callbacks.read));
        memory.putPointer(StructOffsets.of(ops.write), closure(WriteCallback.class, callbacks.write));
        memory.putPointer(StructOffsets.of(ops.fsync), closure(FsyncCallback.class, callbacks.fsync));
        memory.putPointer(StructOffsets.of(ops.fsyncdir), closure(FsyncdirCallback.class, callbacks.fsyncdir));
        return callbacks;
    }

    private static <T> Pointer closure(Class<T> type, T instance) {
        return Runtime.getSystemRuntime().getClosureManager().getClosurePointer(type, instance);
    }
}
