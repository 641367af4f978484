package lnlb.itest;

import java.nio.ByteBuffer;

/**
 * Client frames to the cluster: Ethernet to the cluster MAC, IPv4 from the client's address to the
 * VIP, a TCP (to port 80) or UDP (to port 53) header, and the datagram's id as its last 8 bytes so
 * that a delivered frame says which datagram it was. Checksums stay zero: nothing reads them.
 */
final class ClientFrames {
    static final int TCP = 6;
    static final int UDP = 17;
    /** {@link #id} of a frame that is not one of ours. */
    static final long NO_ID = -1;

    private static final int ETHERNET_HEADER = 14;
    private static final int IPV4_HEADER = 20;
    private static final int TCP_HEADER = 20;
    private static final int UDP_HEADER = 8;
    private static final int ID_BYTES = 8;
    private static final int ETHERTYPE_IPV4 = 0x0800;

    private ClientFrames() {
    }

    /** One datagram {@code id} of {@code protocol} from {@code source:port}; {@code tcpFlags} only for TCP. */
    static ByteBuffer frame(long clusterMac, long clientMac, int vip, int protocol, int source, int port, int tcpFlags,
            long id) {
        int transport = protocol == TCP ? TCP_HEADER : UDP_HEADER;
        int ipLength = IPV4_HEADER + transport + ID_BYTES;
        ByteBuffer b = ByteBuffer.allocate(ETHERNET_HEADER + ipLength);
        putMac(b, 0, clusterMac);
        putMac(b, 6, clientMac);
        b.putShort(12, (short) ETHERTYPE_IPV4);
        int ip = ETHERNET_HEADER;
        b.put(ip, (byte) 0x45); // version 4, 5 words of header
        b.putShort(ip + 2, (short) ipLength);
        b.putShort(ip + 4, (short) id); // identification: any value, no fragments
        b.put(ip + 8, (byte) 64); // TTL
        b.put(ip + 9, (byte) protocol);
        b.putInt(ip + 12, source);
        b.putInt(ip + 16, vip);
        int l4 = ip + IPV4_HEADER;
        b.putShort(l4, (short) port);
        if (protocol == TCP) {
            b.putShort(l4 + 2, (short) 80);
            b.put(l4 + 12, (byte) 0x50); // 5 words of header
            b.put(l4 + 13, (byte) tcpFlags);
        } else {
            b.putShort(l4 + 2, (short) 53);
            b.putShort(l4 + 4, (short) (UDP_HEADER + ID_BYTES));
        }
        b.putLong(l4 + transport, id);
        return b;
    }

    /** The id in a frame made by {@link #frame} ({@code position..limit}), or {@link #NO_ID}. */
    static long id(ByteBuffer frame) {
        int start = frame.position();
        int length = frame.remaining();
        if (length < ETHERNET_HEADER + IPV4_HEADER || (frame.getShort(start + 12) & 0xFFFF) != ETHERTYPE_IPV4) {
            return NO_ID;
        }
        int ip = start + ETHERNET_HEADER;
        int protocol = frame.get(ip + 9) & 0xFF;
        int headerLength = (frame.get(ip) & 0x0F) * 4;
        int idAt = ip + headerLength + (protocol == TCP ? TCP_HEADER : protocol == UDP ? UDP_HEADER : length);
        return idAt + ID_BYTES <= start + length ? frame.getLong(idAt) : NO_ID;
    }

    /** {@code xx:xx:xx:xx:xx:xx} as a 48-bit number. */
    static long parseMac(String text) {
        return Long.parseLong(text.replace(":", ""), 16);
    }

    private static void putMac(ByteBuffer b, int at, long mac) {
        b.putShort(at, (short) (mac >>> 32));
        b.putInt(at + 2, (int) mac);
    }
}
