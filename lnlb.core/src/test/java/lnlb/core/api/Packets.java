package lnlb.core.api;

import java.io.ByteArrayOutputStream;

/**
 * Builds synthetic IPv4/IPv6 packets for the cases no golden frame covers (lying lengths, long
 * extension chains, odd protocols). Checksums are left at zero: {@link Datagram} never reads them.
 */
final class Packets {
    static final byte[] V4_SOURCE = {10, 0, 0, 1};
    static final byte[] V4_DESTINATION = {10, 0, 0, 10};
    /** 2001:db8::1 */
    static final byte[] V6_SOURCE = v6(0x2001_0db8_0000_0000L, 1);
    /** 2001:db8::10 */
    static final byte[] V6_DESTINATION = v6(0x2001_0db8_0000_0000L, 0x10);

    private Packets() {
    }

    /** An IPv4 packet; total length = header + payload; {@code options.length} must be a multiple of 4. */
    static byte[] ipv4(int protocol, int flagsAndFragment, int identification, byte[] options, byte[] payload) {
        return ipv4(protocol, flagsAndFragment, identification, V4_SOURCE, options, payload);
    }

    static byte[] ipv4(int protocol, int flagsAndFragment, int identification, byte[] source, byte[] options, byte[] payload) {
        int headerLength = 20 + options.length;
        byte[] p = new byte[headerLength + payload.length];
        p[0] = (byte) (0x40 | headerLength / 4);
        putShort(p, 2, p.length);
        putShort(p, 4, identification);
        putShort(p, 6, flagsAndFragment);
        p[8] = 64;
        p[9] = (byte) protocol;
        System.arraycopy(source, 0, p, 12, 4);
        System.arraycopy(V4_DESTINATION, 0, p, 16, 4);
        System.arraycopy(options, 0, p, 20, options.length);
        System.arraycopy(payload, 0, p, headerLength, payload.length);
        return p;
    }

    static byte[] ipv4(int protocol, byte[] payload) {
        return ipv4(protocol, 0, 0x1234, new byte[0], payload);
    }

    /** An IPv6 packet; payload length = {@code payload.length}. */
    static byte[] ipv6(int nextHeader, byte[] source, byte[] payload) {
        byte[] p = new byte[40 + payload.length];
        p[0] = 0x60;
        putShort(p, 4, payload.length);
        p[6] = (byte) nextHeader;
        p[7] = 64;
        System.arraycopy(source, 0, p, 8, 16);
        System.arraycopy(V6_DESTINATION, 0, p, 24, 16);
        System.arraycopy(payload, 0, p, 40, payload.length);
        return p;
    }

    static byte[] ipv6(int nextHeader, byte[] payload) {
        return ipv6(nextHeader, V6_SOURCE, payload);
    }

    /** A hop-by-hop, routing or destination-options header of {@code size} bytes (a multiple of 8). */
    static byte[] extension(int nextHeader, int size) {
        byte[] h = new byte[size];
        h[0] = (byte) nextHeader;
        h[1] = (byte) (size / 8 - 1);
        return h;
    }

    /** An IPv6 fragment header; {@code offset} in bytes (a multiple of 8). */
    static byte[] fragment(int nextHeader, int offset, boolean more, int identification) {
        byte[] h = new byte[8];
        h[0] = (byte) nextHeader;
        putShort(h, 2, offset | (more ? 1 : 0));
        putInt(h, 4, identification);
        return h;
    }

    /** A 20-byte TCP header. */
    static byte[] tcp(int sourcePort, int destinationPort, int flags) {
        byte[] h = new byte[20];
        putShort(h, 0, sourcePort);
        putShort(h, 2, destinationPort);
        h[12] = 0x50;
        h[13] = (byte) flags;
        putShort(h, 14, 65535);
        return h;
    }

    /** A UDP header followed by {@code payload} zero bytes. */
    static byte[] udp(int sourcePort, int destinationPort, int payload) {
        byte[] h = new byte[8 + payload];
        putShort(h, 0, sourcePort);
        putShort(h, 2, destinationPort);
        putShort(h, 4, h.length);
        return h;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A copy of {@code packet} with the big-endian 16-bit field at {@code index} set to {@code value}. */
    static byte[] withShort(byte[] packet, int index, int value) {
        byte[] copy = packet.clone();
        putShort(copy, index, value);
        return copy;
    }

    static byte[] v6(long high, long low) {
        byte[] a = new byte[16];
        for (int i = 0; i < 8; i++) {
            a[i] = (byte) (high >>> (56 - 8 * i));
            a[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return a;
    }

    static void putShort(byte[] b, int index, int value) {
        b[index] = (byte) (value >>> 8);
        b[index + 1] = (byte) value;
    }

    static void putInt(byte[] b, int index, int value) {
        putShort(b, index, value >>> 16);
        putShort(b, index + 2, value);
    }
}
