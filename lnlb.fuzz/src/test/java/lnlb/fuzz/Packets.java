package lnlb.fuzz;

import java.nio.ByteBuffer;

/** IP packets and Ethernet frames for the harnesses; checksums are left zero (nothing here checks them). */
final class Packets {
    static final int ETHERNET = 14;

    private Packets() {
    }

    /** An IPv4 packet of {@code protocol} from {@code source} to the VIP with a transport header of {@code transport}. */
    static byte[] ipv4(int source, int protocol, int sourcePort, int destinationPort, int tcpFlags) {
        int transport = protocol == 6 ? 20 : 8;
        ByteBuffer p = ByteBuffer.allocate(20 + transport);
        p.put(0, (byte) 0x45);
        p.putShort(2, (short) p.capacity());
        p.put(8, (byte) 64);
        p.put(9, (byte) protocol);
        p.putInt(12, source);
        p.put(16, Wire.VIP.getAddress());
        p.putShort(20, (short) sourcePort);
        p.putShort(22, (short) destinationPort);
        if (protocol == 6) {
            p.put(20 + 12, (byte) 0x50);
            p.put(20 + 13, (byte) tcpFlags);
        }
        return p.array();
    }

    /** An IPv6 packet: fixed header, then {@code payload} (extension headers and transport) after next header {@code next}. */
    static byte[] ipv6(long sourceHigh, long sourceLow, int next, byte[] payload) {
        ByteBuffer p = ByteBuffer.allocate(40 + payload.length);
        p.put(0, (byte) 0x60);
        p.putShort(4, (short) payload.length);
        p.put(6, (byte) next);
        p.put(7, (byte) 64);
        p.putLong(8, sourceHigh);
        p.putLong(16, sourceLow);
        p.putLong(24, 0xFD00_0000_0000_0000L);
        p.putLong(32, 100);
        p.put(40, payload);
        return p.array();
    }

    /** An Ethernet frame from {@code source} to {@code destination}. */
    static byte[] ethernet(long destination, long source, int etherType, byte[] payload) {
        ByteBuffer f = ByteBuffer.allocate(ETHERNET + payload.length);
        lnlb.core.api.NodeAddress.write(f, 0, destination);
        lnlb.core.api.NodeAddress.write(f, 6, source);
        f.putShort(12, (short) etherType);
        f.put(ETHERNET, payload);
        return f.array();
    }

    /** An ARP request (Ethernet/IPv4) asking for {@code target}. */
    static byte[] arpRequest(long sender, int senderIp, int target) {
        ByteBuffer a = ByteBuffer.allocate(28);
        a.putShort(0, (short) 1);
        a.putShort(2, (short) 0x0800);
        a.put(4, (byte) 6);
        a.put(5, (byte) 4);
        a.putShort(6, (short) 1);
        lnlb.core.api.NodeAddress.write(a, 8, sender);
        a.putInt(14, senderIp);
        a.putInt(24, target);
        return ethernet(0xFFFF_FFFF_FFFFL, sender, 0x0806, a.array());
    }
}
