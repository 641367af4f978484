package lnlb.benchmarks;

import java.nio.ByteBuffer;
import lnlb.core.api.Ethernet;

/**
 * Client frames for the benchmarks, built once in a direct buffer as a NIC would hand them over:
 * Ethernet to the cluster MAC carrying IPv4 UDP or TCP to {@code vip:80}, with an 8-byte payload.
 * Frames sit at a fixed {@link #STRIDE} so that frame {@code i} starts at {@code i * STRIDE}.
 * (The layout follows {@code lnlb.simulation.Frames}; the benchmarks do not depend on that module.)
 */
final class TestFrames {
    static final long CLIENT_MAC = 0x0A00_0000_0001L;
    static final int ETHERNET = Ethernet.HEADER_LENGTH;
    static final int IPV4 = 20;
    static final int UDP = 8;
    static final int TCP = 20;
    static final int PAYLOAD = 8;
    /** Absolute index, in a frame, of the IPv4 source address. */
    static final int SOURCE_OFFSET = ETHERNET + 12;
    /** Room per frame: the largest frame built here (TCP, 62 bytes) rounded up to a cache line. */
    static final int STRIDE = 64;

    private TestFrames() {
    }

    /** Length of a frame of {@code protocol} (6 or 17). */
    static int length(int protocol) {
        return ETHERNET + IPV4 + (protocol == 6 ? TCP : UDP) + PAYLOAD;
    }

    /** A direct buffer of {@code sources.length} frames, frame {@code i} from {@code sources[i]}. */
    static ByteBuffer frames(int protocol, long clusterMac, int vip, int[] sources) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(sources.length * STRIDE);
        for (int i = 0; i < sources.length; i++) {
            write(buffer, i * STRIDE, protocol, clusterMac, vip, sources[i], 1024 + (i & 0x7FFF), i);
        }
        return buffer;
    }

    /** Writes one IPv4 frame at {@code at}; TCP segments carry ACK (an established flow). */
    static void write(ByteBuffer frame, int at, int protocol, long clusterMac, int vip, int source, int port,
            long payload) {
        int transportHeader = protocol == 6 ? TCP : UDP;
        int total = IPV4 + transportHeader + PAYLOAD;
        int ip = Ethernet.writeHeader(frame, at, clusterMac, CLIENT_MAC, Ethernet.TYPE_IPV4);
        frame.put(ip, (byte) 0x45);
        frame.putShort(ip + 2, (short) total);
        frame.putShort(ip + 4, (short) payload);
        frame.put(ip + 8, (byte) 64);
        frame.put(ip + 9, (byte) protocol);
        frame.putInt(ip + 12, source);
        frame.putInt(ip + 16, vip);
        int transport = ip + IPV4;
        frame.putShort(transport, (short) port);
        frame.putShort(transport + 2, (short) 80);
        if (protocol == 6) {
            frame.put(transport + 12, (byte) 0x50);
            frame.put(transport + 13, (byte) 0x10);
        } else {
            frame.putShort(transport + 4, (short) (transportHeader + PAYLOAD));
        }
        frame.putLong(transport + transportHeader, payload);
    }

    /** {@code count} distinct IPv4 sources in 10.0.0.0/8, spread rather than consecutive. */
    static int[] sources(int count) {
        int[] sources = new int[count];
        for (int i = 0; i < count; i++) {
            // An odd multiplier permutes the low 24 bits: all distinct for count <= 2^24.
            sources[i] = 0x0A00_0000 | ((i * 0x9E3779) & 0x00FF_FFFF);
        }
        return sources;
    }
}
