package leasekv.lazyfs;

import java.lang.reflect.Method;

/** The byte offset of a jnr-ffi struct member; jnr-ffi hides Member.offset() behind a non-public class. */
final class StructOffsets {
    private StructOffsets() {
    }

    static long of(Object member) {
        try {
            for (Class<?> c = member.getClass(); c != null; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) {
                    if (m.getName().equals("offset") && m.getParameterCount() == 0) {
                        m.setAccessible(true);
                        return (Long) m.invoke(member);
                    }
                }
            }
            throw new NoSuchMethodException("offset() on " + member.getClass());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot locate a jnr-fuse struct member", e);
        }
    }
}
