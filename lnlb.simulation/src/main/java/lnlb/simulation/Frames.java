package lnlb.simulation;

import java.nio.ByteBuffer;
import lnlb.core.api.Ethernet;

/**
 * Builds client frames for simulations: Ethernet to the cluster MAC carrying IPv4 UDP or TCP, with
 * a 64-bit sequence number as payload so every delivery can be traced to one datagram.
 */
public final class Frames {
    public static final int ETHERNET = Ethernet.HEADER_LENGTH;
    public static final int IPV4 = 20;
    public static final int PAYLOAD = 8;

    private Frames() {
    }

    /** A UDP datagram from {@code source:port} to {@code vip:80} carrying {@code sequence}. */
    public static ByteBuffer udp(long clientMac, long clusterMac, int source, int port, int vip, long sequence) {
        return ipv4(clientMac, clusterMac, 17, source, vip, port, 8, 0, sequence);
    }

    /** A TCP segment with the given flags. */
    public static ByteBuffer tcp(long clientMac, long clusterMac, int source, int port, int vip, int flags, long sequence) {
        return ipv4(clientMac, clusterMac, 6, source, vip, port, 20, flags, sequence);
    }

    private static ByteBuffer ipv4(long clientMac, long clusterMac, int protocol, int source, int vip, int port,
            int transportHeader, int tcpFlags, long sequence) {
        int total = IPV4 + transportHeader + PAYLOAD;
        ByteBuffer frame = ByteBuffer.allocate(ETHERNET + total);
        int ip = Ethernet.writeHeader(frame, 0, clusterMac, clientMac, Ethernet.TYPE_IPV4);
        frame.put(ip, (byte) 0x45);
        frame.putShort(ip + 2, (short) total);
        frame.putShort(ip + 4, (short) sequence);
        frame.put(ip + 8, (byte) 64);
        frame.put(ip + 9, (byte) protocol);
        frame.putInt(ip + 12, source);
        frame.putInt(ip + 16, vip);
        int transport = ip + IPV4;
        frame.putShort(transport, (short) port);
        frame.putShort(transport + 2, (short) 80);
        if (protocol == 6) {
            frame.put(transport + 12, (byte) 0x50);
            frame.put(transport + 13, (byte) tcpFlags);
        } else {
            frame.putShort(transport + 4, (short) (transportHeader + PAYLOAD));
        }
        frame.putLong(transport + transportHeader, sequence);
        return frame;
    }

    /** The sequence number of a frame built here (given the IP header offset and length), or -1. */
    public static long sequence(ByteBuffer buffer, int ipOffset, int ipLength) {
        if (ipLength < PAYLOAD) {
            return -1;
        }
        return buffer.getLong(ipOffset + ipLength - PAYLOAD);
    }
}
