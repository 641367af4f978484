package lnlb.module.dflt.internal;

import java.nio.ByteBuffer;
import lnlb.core.api.Datagram;

/** Hand-made IP packets, placed at a non-zero offset of a larger buffer. */
final class Packets {
    static final int OFFSET = 14; // where an Ethernet header would end

    private Packets() {
    }

    /** An IPv4/TCP SYN from {@code a.b.c.d:40000} to 10.0.0.100:80. */
    static Datagram ipv4(int a, int b, int c, int d) {
        ByteBuffer buffer = ByteBuffer.allocate(OFFSET + 40 + 6);
        int at = OFFSET;
        buffer.put(at, (byte) 0x45);                 // version 4, IHL 5
        buffer.putShort(at + 2, (short) 40);         // total length: 20 + 20
        buffer.put(at + 8, (byte) 64);               // TTL
        buffer.put(at + 9, (byte) Datagram.PROTOCOL_TCP);
        buffer.put(at + 12, (byte) a).put(at + 13, (byte) b).put(at + 14, (byte) c).put(at + 15, (byte) d);
        buffer.put(at + 16, (byte) 10).put(at + 19, (byte) 100);
        buffer.putShort(at + 20, (short) 40000);     // TCP source port
        buffer.putShort(at + 22, (short) 80);
        buffer.put(at + 32, (byte) 0x50);            // data offset 5
        buffer.put(at + 33, (byte) Datagram.TCP_SYN);
        return new Datagram().wrap(buffer, OFFSET, 40 + 6); // 6 bytes of Ethernet padding
    }

    /** An IPv6/UDP datagram from {@code 2001:db8::<low>}. */
    static Datagram ipv6(long low) {
        ByteBuffer buffer = ByteBuffer.allocate(OFFSET + 48);
        int at = OFFSET;
        buffer.put(at, (byte) 0x60);                 // version 6
        buffer.putShort(at + 4, (short) 8);          // payload: one UDP header
        buffer.put(at + 6, (byte) Datagram.PROTOCOL_UDP);
        buffer.put(at + 7, (byte) 64);
        buffer.putLong(at + 8, 0x2001_0DB8_0000_0000L);
        buffer.putLong(at + 16, low);
        buffer.putLong(at + 24, 0x2001_0DB8_0000_0000L);
        buffer.putLong(at + 32, 0x100);
        buffer.putShort(at + 40, (short) 5000);
        buffer.putShort(at + 42, (short) 53);
        buffer.putShort(at + 44, (short) 8);
        return new Datagram().wrap(buffer, OFFSET, 48);
    }

    /** Not an IP packet at all. */
    static Datagram garbage() {
        return new Datagram().wrap(ByteBuffer.allocate(64), 0, 64);
    }
}
