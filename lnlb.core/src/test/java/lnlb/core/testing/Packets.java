package lnlb.core.testing;

import java.nio.ByteBuffer;
import lnlb.core.api.Datagram;

/**
 * Hand-made client-to-VIP packets at a non-zero offset of a larger buffer (with Ethernet padding
 * after them), one fresh buffer and view per call. Checksums stay zero: nothing reads them.
 */
public final class Packets {
    public static final int OFFSET = 14; // where an Ethernet header would end
    public static final int PADDING = 6;
    public static final int TCP = Datagram.PROTOCOL_TCP;
    public static final int UDP = Datagram.PROTOCOL_UDP;
    public static final int SYN = Datagram.TCP_SYN;
    public static final int ACK = Datagram.TCP_ACK;
    public static final int FIN = Datagram.TCP_FIN;
    public static final int RST = Datagram.TCP_RST;
    public static final int PSH = Datagram.TCP_PSH;
    /** IPv4 more-fragments flag in the flags/fragment-offset word. */
    public static final int MF = 0x2000;
    public static final long V6_PREFIX = 0x2001_0DB8_0000_0000L;

    private Packets() {
    }

    /** {@code a.b.c.d} as a raw IPv4 int. */
    public static int v4(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    // ------------------------------------------------------------------ whole datagrams

    /** IPv4 TCP segment from {@code source:port} to the VIP's port 80. */
    public static Datagram tcp4(int source, int port, int flags) {
        return ipv4(TCP, source, 0x1234, 0, tcpHeader(port, flags));
    }

    /** IPv4 TCP segment from {@code source:port} to the VIP's port {@code destination}. */
    public static Datagram tcp4To(int source, int port, int destination, int flags) {
        byte[] header = tcpHeader(port, flags);
        ByteBuffer.wrap(header).putShort(2, (short) destination);
        return ipv4(TCP, source, 0x1234, 0, header);
    }

    /** IPv4 UDP datagram from {@code source:port} to the VIP's port {@code destination}. */
    public static Datagram udp4To(int source, int port, int destination) {
        byte[] header = udpHeader(port, 8);
        ByteBuffer.wrap(header).putShort(2, (short) destination);
        return ipv4(UDP, source, 0x1234, 0, header);
    }

    /** IPv4 UDP datagram from {@code source:port} with 8 bytes of payload. */
    public static Datagram udp4(int source, int port) {
        return ipv4(UDP, source, 0x1234, 0, udpHeader(port, 8));
    }

    /** IPv6 TCP segment from {@code 2001:db8::<low>:port}. */
    public static Datagram tcp6(long low, int port, int flags) {
        return ipv6(TCP, low, null, tcpHeader(port, flags));
    }

    /** IPv6 UDP datagram from {@code 2001:db8::<low>:port}. */
    public static Datagram udp6(long low, int port) {
        return ipv6(UDP, low, null, udpHeader(port, 8));
    }

    /** An IPv4 TCP segment whose header is cut after the ports (8 bytes): ports, but no flags. */
    public static Datagram tcp4Short(int source, int port) {
        byte[] header = new byte[8];
        ByteBuffer.wrap(header).putShort(0, (short) port).putShort(2, (short) 80);
        return ipv4(TCP, source, 0x1234, 0, header);
    }

    /** An IPv4 datagram of {@code protocol} whose transport header is 2 bytes long: no ports. */
    public static Datagram noPorts4(int protocol, int source) {
        return ipv4(protocol, source, 0x1234, 0, new byte[2]);
    }

    // ------------------------------------------------------------------ fragments

    /** The leading IPv4 fragment (offset 0, more fragments) of a TCP segment. */
    public static Datagram tcpLeading4(int source, int port, int flags, int id) {
        return ipv4(TCP, source, id, MF, tcpHeader(port, flags));
    }

    /** The leading IPv4 fragment of a UDP datagram. */
    public static Datagram udpLeading4(int source, int port, int id) {
        return ipv4(UDP, source, id, MF, udpHeader(port, 1472));
    }

    /** A trailing IPv4 fragment ({@code offset} bytes, a multiple of 8, not 0) of datagram {@code id}. */
    public static Datagram trailing4(int protocol, int source, int id, int offset, boolean more) {
        return ipv4(protocol, source, id, (more ? MF : 0) | offset >>> 3, new byte[64]);
    }

    /** The leading IPv6 fragment of a datagram of {@code protocol} from {@code port}. */
    public static Datagram leading6(int protocol, long low, int port, int flags, int id) {
        byte[] transport = protocol == TCP ? tcpHeader(port, flags) : udpHeader(port, 1000);
        return ipv6(protocol, low, fragmentHeader(protocol, 0, true, id), transport);
    }

    /** A trailing IPv6 fragment. */
    public static Datagram trailing6(int protocol, long low, int id, int offset, boolean more) {
        return ipv6(protocol, low, fragmentHeader(protocol, offset, more, id), new byte[64]);
    }

    /** An IPv6 atomic fragment (offset 0, no more fragments): a whole datagram with a fragment header. */
    public static Datagram atomic6(int protocol, long low, int port, int flags, int id) {
        byte[] transport = protocol == TCP ? tcpHeader(port, flags) : udpHeader(port, 8);
        return ipv6(protocol, low, fragmentHeader(protocol, 0, false, id), transport);
    }

    /** Not an IP packet at all. */
    public static Datagram garbage() {
        return new Datagram().wrap(ByteBuffer.allocate(64), 0, 64);
    }

    // ------------------------------------------------------------------ builders

    public static byte[] tcpHeader(int port, int flags) {
        byte[] h = new byte[20];
        ByteBuffer b = ByteBuffer.wrap(h);
        b.putShort(0, (short) port).putShort(2, (short) 80);
        b.put(12, (byte) 0x50).put(13, (byte) flags);
        return h;
    }

    public static byte[] udpHeader(int port, int payload) {
        byte[] h = new byte[8 + payload];
        ByteBuffer.wrap(h).putShort(0, (short) port).putShort(2, (short) 53).putShort(4, (short) h.length);
        return h;
    }

    public static byte[] fragmentHeader(int next, int offset, boolean more, int id) {
        byte[] h = new byte[8];
        ByteBuffer.wrap(h).put(0, (byte) next).putShort(2, (short) (offset | (more ? 1 : 0))).putInt(4, id);
        return h;
    }

    public static Datagram ipv4(int protocol, int source, int id, int flagsAndOffset, byte[] transport) {
        int total = 20 + transport.length;
        ByteBuffer b = ByteBuffer.allocate(OFFSET + total + PADDING);
        b.put(OFFSET, (byte) 0x45);
        b.putShort(OFFSET + 2, (short) total);
        b.putShort(OFFSET + 4, (short) id);
        b.putShort(OFFSET + 6, (short) flagsAndOffset);
        b.put(OFFSET + 8, (byte) 64);
        b.put(OFFSET + 9, (byte) protocol);
        b.putInt(OFFSET + 12, source);
        b.putInt(OFFSET + 16, v4(192, 0, 2, 10));
        b.put(OFFSET + 20, transport);
        Datagram d = new Datagram().wrap(b, OFFSET, total + PADDING);
        if (!d.valid()) {
            throw new AssertionError("test packet is not valid");
        }
        return d;
    }

    public static Datagram ipv6(int protocol, long low, byte[] fragmentHeader, byte[] transport) {
        int payload = (fragmentHeader == null ? 0 : 8) + transport.length;
        ByteBuffer b = ByteBuffer.allocate(OFFSET + 40 + payload + PADDING);
        b.put(OFFSET, (byte) 0x60);
        b.putShort(OFFSET + 4, (short) payload);
        b.put(OFFSET + 6, (byte) (fragmentHeader == null ? protocol : 44));
        b.put(OFFSET + 7, (byte) 64);
        b.putLong(OFFSET + 8, V6_PREFIX);
        b.putLong(OFFSET + 16, low);
        b.putLong(OFFSET + 24, V6_PREFIX);
        b.putLong(OFFSET + 32, 0x10);
        int at = OFFSET + 40;
        if (fragmentHeader != null) {
            b.put(at, fragmentHeader);
            at += 8;
        }
        b.put(at, transport);
        Datagram d = new Datagram().wrap(b, OFFSET, 40 + payload + PADDING);
        if (!d.valid()) {
            throw new AssertionError("test packet is not valid");
        }
        return d;
    }
}
