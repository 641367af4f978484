package lnlb.core.api;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Node addresses are 48-bit MAC addresses carried in a {@code long} (bits 47..0, network order),
 * so the hot path never allocates one. This class holds the helpers around that representation.
 */
public final class NodeAddress {
    /** "No node": what {@link ProtocolModule#related} returns for an unknown session. */
    public static final long NONE = -1L;

    private static final long MASK = 0xFFFF_FFFF_FFFFL;

    private NodeAddress() {
    }

    /** True for a value that fits 48 bits (and so is not {@link #NONE}). */
    public static boolean isValid(long mac) {
        return (mac & ~MASK) == 0;
    }

    /** Reads six bytes at an absolute index, in network order whatever the buffer's order, without moving its position. */
    public static long read(ByteBuffer buffer, int offset) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = (mac << 8) | (buffer.get(offset + i) & 0xFF);
        }
        return mac;
    }

    /** Writes six bytes at an absolute index, in network order whatever the buffer's order, without moving its position. */
    public static void write(ByteBuffer buffer, int offset, long mac) {
        for (int i = 0; i < 6; i++) {
            buffer.put(offset + i, (byte) (mac >>> (40 - 8 * i)));
        }
    }

    /** {@code 02:00:0a:00:00:0a} form; {@code none} for {@link #NONE}. */
    public static String format(long mac) {
        if (!isValid(mac)) {
            return "none";
        }
        StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int octet = (int) (mac >>> shift) & 0xFF;
            text.append(Character.forDigit(octet >> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (shift > 0) {
                text.append(':');
            }
        }
        return text.toString();
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or with {@code -}); throws IllegalArgumentException otherwise. */
    public static long parse(String text) {
        String[] octets = text.trim().split("[:-]", -1);   // -1: keep trailing empty octets
        if (octets.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long mac = 0;
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 2
                    || !isHexDigit(octet.charAt(0)) || !isHexDigit(octet.charAt(octet.length() - 1))) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            try {
                mac = (mac << 8) | Integer.parseInt(octet, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address: " + text, e);
            }
        }
        return mac;
    }

    /** ASCII hex only: Integer.parseInt would also take a sign and non-ASCII digits. */
    private static boolean isHexDigit(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /**
     * The unicast cluster MAC of a VIP, as the original driver derives it: {@code 02:00} followed by
     * the four bytes of an IPv4 VIP (the last four bytes for IPv6). Locally administered, never
     * used as a frame source, so switches flood frames sent to it.
     */
    public static long unicastClusterMac(InetAddress vip) {
        byte[] a = vip.getAddress();
        int n = a.length;
        long low = ((a[n - 4] & 0xFFL) << 24) | ((a[n - 3] & 0xFFL) << 16) | ((a[n - 2] & 0xFFL) << 8) | (a[n - 1] & 0xFFL);
        return (0x0200L << 32) | low;
    }
}
