package lnlb.tap.internal.linux;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.nio.ByteBuffer;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * Java-shaped wrappers over {@link LibC}. libc is loaded on first use (holder class), so merely
 * loading lnlb.tap classes never touches native code.
 *
 * <p>Two styles, on purpose. Set-up calls throw {@link LinkException} (syscall + errno). Frame
 * I/O on the hot path ({@link #read}, {@link #write}, {@link #recv}, {@link #send}, {@link #poll})
 * returns the count, or {@code -errno} as a sentinel, so the caller decides what EAGAIN or a
 * malformed frame means without an exception per frame. All of them retry EINTR.
 */
public final class Native {
    private Native() {
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class)
                .library(Platform.getNativePlatform().getStandardCLibraryName())
                .load();
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    /**
     * mmap(2) called through jffi: jnr-ffi 2.2.17's generated x86-64 stubs corrupt the sixth
     * argument of a native call (jnr/jnr-ffi#181), and mmap has six.
     */
    private static final class Mmap {
        static final CallContext CONTEXT = CallContext.getCallContext(Type.POINTER,
                new Type[] {Type.POINTER, Type.UINT64, Type.SINT32, Type.SINT32, Type.SINT32, Type.SINT64},
                CallingConvention.DEFAULT, true);
        static final long FUNCTION = Library.getDefault().getSymbolAddress("mmap");
    }

    static LibC libc() {
        return Holder.LIBC;
    }

    static Runtime runtime() {
        return Holder.RUNTIME;
    }

    /** errno of the last failed call on this thread. */
    public static int errno() {
        return LastError.getLastError(Holder.RUNTIME);
    }

    /** strerror(3) text, e.g. "Operation not permitted". */
    public static String strerror(int errno) {
        String text = Holder.LIBC.strerror(errno);
        return text == null ? "errno " + errno : text;
    }

    /** Host to network order for a 16-bit value (sll_protocol, socket()'s protocol). */
    public static int htons(int value) {
        return Short.toUnsignedInt(Short.reverseBytes((short) value));
    }

    /** The native address of a direct buffer's first byte (index 0, whatever its position). */
    public static long address(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return MemoryIO.getInstance().getDirectBufferAddress(direct);
    }

    /** Closes {@code fd} if it is not negative; errors are ignored (nothing useful to do). */
    public static void close(int fd) {
        if (fd >= 0) {
            Holder.LIBC.close(fd);
        }
    }

    /** A non-blocking, close-on-exec eventfd (wakes a {@link #poll}). */
    public static int eventfd() throws LinkException {
        int fd = Holder.LIBC.eventfd(0, Kernel.EFD_NONBLOCK | Kernel.EFD_CLOEXEC);
        if (fd < 0) {
            throw new LinkException(null, "eventfd", errno());
        }
        return fd;
    }

    /** open(2); throws with {@code what} as the meaning. */
    static int open(String path, int flags) throws LinkException {
        int fd = Holder.LIBC.open(path, flags);
        if (fd < 0) {
            throw new LinkException(null, "open(" + path + ")", errno());
        }
        return fd;
    }

    static int socket(int domain, int type, int protocol, String name) throws LinkException {
        int fd = Holder.LIBC.socket(domain, type | Kernel.SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw new LinkException(null, "socket(" + name + ")", errno());
        }
        return fd;
    }

    static void setsockopt(int fd, int level, int option, int value, String name) throws LinkException {
        if (Holder.LIBC.setsockopt(fd, level, option, new IntByReference(value), 4) < 0) {
            throw new LinkException(null, "setsockopt(" + name + ")", errno());
        }
    }

    /** setsockopt(2) with {@code length} bytes at {@code address}. */
    static void setsockopt(int fd, int level, int option, long address, int length, String name) throws LinkException {
        if (Holder.LIBC.setsockopt(fd, level, option, address, length) < 0) {
            throw new LinkException(null, "setsockopt(" + name + ")", errno());
        }
    }

    /** getsockopt(2) into {@code address}; {@code lengthAddress} holds the room in bytes (a socklen_t). 0 or {@code -errno}. */
    public static int getsockopt(int fd, int level, int option, long address, long lengthAddress) {
        return Holder.LIBC.getsockopt(fd, level, option, address, lengthAddress) < 0 ? -errno() : 0;
    }

    /** A shared read-write mapping of {@code length} bytes of {@code fd} (a packet ring). */
    static long mmap(int fd, long length, String name) throws LinkException {
        if (Mmap.FUNCTION == 0) {
            throw new LinkException("mmap: no such symbol in libc");
        }
        long address = Invoker.getInstance().invokeN6(Mmap.CONTEXT, Mmap.FUNCTION, 0, length,
                Kernel.PROT_READ | Kernel.PROT_WRITE, Kernel.MAP_SHARED, fd, 0);
        if (address == -1 || address == 0) {
            throw new LinkException(null, "mmap(" + name + ")", com.kenai.jffi.LastError.getInstance().get());
        }
        return address;
    }

    /** munmap(2); errors are ignored (nothing useful to do). */
    static void munmap(long address, long length) {
        Holder.LIBC.munmap(address, length);
    }

    static void ioctl(int fd, long request, Ifreq ifr, String name) throws LinkException {
        if (Holder.LIBC.ioctl(fd, request, ifr) < 0) {
            throw new LinkException(null, "ioctl(" + name + " " + ifr.name() + ")", errno());
        }
    }

    // ---- hot path: count or -errno ------------------------------------------------------------

    /** read(2) of up to {@code count} bytes at {@code address}: bytes read or {@code -errno}. */
    public static long read(int fd, long address, int count) {
        long n;
        do {
            n = Holder.LIBC.read(fd, address, count);
        } while (n < 0 && errno() == Kernel.EINTR);
        return n < 0 ? -errno() : n;
    }

    /** write(2): bytes written or {@code -errno}. */
    public static long write(int fd, long address, int count) {
        long n;
        do {
            n = Holder.LIBC.write(fd, address, count);
        } while (n < 0 && errno() == Kernel.EINTR);
        return n < 0 ? -errno() : n;
    }

    /** recv(2): bytes received (the real length with MSG_TRUNC) or {@code -errno}. */
    public static long recv(int fd, long address, int length, int flags) {
        long n;
        do {
            n = Holder.LIBC.recv(fd, address, length, flags);
        } while (n < 0 && errno() == Kernel.EINTR);
        return n < 0 ? -errno() : n;
    }

    /** send(2): bytes sent or {@code -errno}. */
    public static long send(int fd, long address, int length, int flags) {
        long n;
        do {
            n = Holder.LIBC.send(fd, address, length, flags);
        } while (n < 0 && errno() == Kernel.EINTR);
        return n < 0 ? -errno() : n;
    }

    /**
     * poll(2) over {@code count} {@code struct pollfd} (8 bytes each: int fd, short events, short
     * revents, native order) at {@code address}: ready descriptors, 0 on timeout or EINTR, or
     * {@code -errno}.
     */
    public static int poll(long address, int count, int timeoutMillis) {
        int n = Holder.LIBC.poll(address, count, timeoutMillis);
        if (n < 0) {
            int errno = errno();
            return errno == Kernel.EINTR ? 0 : -errno;
        }
        return n;
    }
}
