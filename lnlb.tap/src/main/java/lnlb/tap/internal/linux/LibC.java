package lnlb.tap.internal.linux;

import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Variadic;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;

/**
 * The libc calls the Linux link uses, and no others. Frame I/O takes raw addresses inside direct
 * buffers ({@code @intptr_t long}): the call marshals nothing and allocates nothing, and one
 * buffer serves any offset. Errno is saved on every call but {@link #strerror}.
 */
public interface LibC {
    int open(CharSequence path, int flags);

    int close(int fd);

    int socket(int domain, int type, int protocol);

    int bind(int fd, @In SockaddrLl address, int length);

    int setsockopt(int fd, int level, int option, @In IntByReference value, int length);

    int setsockopt(int fd, int level, int option, @In PacketMreq value, int length);

    int setsockopt(int fd, int level, int option, @In SockFprog value, int length);

    /** setsockopt(2) with the option's bytes at a native address (struct tpacket_req). */
    int setsockopt(int fd, int level, int option, @intptr_t long value, int length);

    /** getsockopt(2) into a native address; {@code length} is the address of a socklen_t. */
    int getsockopt(int fd, int level, int option, @intptr_t long value, @intptr_t long length);

    /** munmap(2). (mmap(2) has six arguments and goes through jffi: see {@link Native#mmap}.) */
    int munmap(@intptr_t long address, @size_t long length);

    /** ioctl(2) with a struct ifreq (SIOC*IF*, TUNSETIFF). */
    @Variadic(fixedCount = 2)
    int ioctl(int fd, @u_int64_t long request, @In @Out Ifreq ifr);

    /** ioctl(2) with a pointer to an int (TUNSETVNETHDRSZ). */
    @Variadic(fixedCount = 2)
    int ioctl(int fd, @u_int64_t long request, @In IntByReference value);

    /** ioctl(2) with an integer argument (TUNSETOFFLOAD). */
    @Variadic(fixedCount = 2)
    int ioctl(int fd, @u_int64_t long request, @u_int64_t long value);

    int eventfd(int initialValue, int flags);

    @ssize_t long read(int fd, @intptr_t long buffer, @size_t long count);

    @ssize_t long write(int fd, @intptr_t long buffer, @size_t long count);

    @ssize_t long recv(int fd, @intptr_t long buffer, @size_t long length, int flags);

    @ssize_t long send(int fd, @intptr_t long buffer, @size_t long length, int flags);

    /** poll(2) over a {@code struct pollfd[nfds]} at {@code fds}. */
    int poll(@intptr_t long fds, @u_int64_t long nfds, int timeoutMillis);

    @IgnoreError
    String strerror(int errno);
}
