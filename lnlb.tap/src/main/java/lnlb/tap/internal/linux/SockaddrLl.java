package lnlb.tap.internal.linux;

import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/**
 * {@code struct sockaddr_ll} (&lt;linux/if_packet.h&gt;, 20 bytes). Only the fields {@code bind}
 * needs are set: family, protocol (network order) and interface index.
 */
final class SockaddrLl extends Struct {
    final Unsigned16 family = new Unsigned16();
    /** sll_protocol, in network byte order: set with {@link Native#htons}. */
    final Unsigned16 protocol = new Unsigned16();
    final Signed32 ifindex = new Signed32();
    final Unsigned16 hatype = new Unsigned16();
    final Unsigned8 pkttype = new Unsigned8();
    final Unsigned8 halen = new Unsigned8();
    final Unsigned8[] addr = array(new Unsigned8[8]);

    SockaddrLl(Runtime runtime) {
        super(runtime);
    }
}
