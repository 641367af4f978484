package lnlb.tap.internal.linux;

import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/** {@code struct packet_mreq} (&lt;linux/if_packet.h&gt;, 16 bytes): a PACKET_ADD_MEMBERSHIP request. */
final class PacketMreq extends Struct {
    final Signed32 ifindex = new Signed32();
    /** PACKET_MR_PROMISC, PACKET_MR_MULTICAST, ... */
    final Unsigned16 type = new Unsigned16();
    final Unsigned16 alen = new Unsigned16();
    final Unsigned8[] address = array(new Unsigned8[8]);

    PacketMreq(Runtime runtime) {
        super(runtime);
    }
}
