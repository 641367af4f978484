package lnlb.tap.internal.linux;

import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/**
 * {@code struct sock_fprog} (&lt;linux/filter.h&gt;, 16 bytes on LP64): the length of a classic BPF
 * program and a pointer to its {@code struct sock_filter[len]} (8 bytes each: u16 code, u8 jt, u8
 * jf, u32 k). The kernel copies the program during SO_ATTACH_FILTER.
 */
final class SockFprog extends Struct {
    final Unsigned16 length = new Unsigned16();
    final Pointer filter = new Pointer();

    SockFprog(Runtime runtime) {
        super(runtime);
    }
}
