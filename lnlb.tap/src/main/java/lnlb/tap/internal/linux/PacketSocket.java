package lnlb.tap.internal.linux;

import com.kenai.jffi.MemoryIO;
import java.io.Closeable;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * An AF_PACKET, SOCK_RAW socket bound to one device, receiving every frame that passes its
 * classic BPF filter with a virtio-net header in front ({@code PACKET_VNET_HDR}), and sending
 * frames the same way. Promiscuous through a membership, which the kernel drops when the socket
 * closes.
 */
public final class PacketSocket implements Closeable {
    /** Receive buffer asked for (SO_RCVBUFFORCE): room for dozens of 64 KiB GSO frames. */
    private static final int RCVBUF = 8 << 20;
    /**
     * With a ring the receive queue holds only the frames too big for a slot (GSO super-frames);
     * a bigger budget for them: at 8 MiB a busy non-owner saw a few hundred of 230,000 cut during
     * bulk TCP (the kernel cuts a frame to its slot when its copy does not fit).
     */
    private static final int RING_RCVBUF = 32 << 20;
    private static final int SNDBUF = 4 << 20;

    private final int fd;
    private final PacketRing ring;

    private PacketSocket(int fd, PacketRing ring) {
        this.fd = fd;
        this.ring = ring;
    }

    /**
     * Opens the socket on {@code ifindex} with {@code filter} (instructions packed as by
     * {@link #instruction}). The socket is created with protocol 0, so it receives nothing until
     * the filter is attached and it is bound: no unfiltered frame is ever queued.
     */
    public static PacketSocket open(int ifindex, long[] filter) throws LinkException {
        return open(ifindex, filter, false);
    }

    /**
     * The same, with a receive ring ({@link PacketRing}) if {@code ring}: set up before the socket
     * is bound, so every frame it ever receives goes through the ring (or, too big for a slot,
     * through the copy queue). Throws if the ring cannot be set up; the caller may fall back.
     */
    public static PacketSocket open(int ifindex, long[] filter, boolean ring) throws LinkException {
        int fd = Native.socket(Kernel.AF_PACKET, Kernel.SOCK_RAW, 0, "AF_PACKET, SOCK_RAW");
        PacketRing mapped = null;
        try {
            attachFilter(fd, filter);
            Native.setsockopt(fd, Kernel.SOL_PACKET, Kernel.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            ignoreOutgoing(fd);
            buffer(fd, Kernel.SO_RCVBUFFORCE, Kernel.SO_RCVBUF, ring ? RING_RCVBUF : RCVBUF, "SO_RCVBUF");
            buffer(fd, Kernel.SO_SNDBUFFORCE, Kernel.SO_SNDBUF, SNDBUF, "SO_SNDBUF");
            if (ring) {
                mapped = PacketRing.map(fd);                      // after PACKET_VNET_HDR, which it freezes
            }

            SockaddrLl address = new SockaddrLl(Native.runtime());
            address.family.set(Kernel.AF_PACKET);
            address.protocol.set(Native.htons(Kernel.ETH_P_ALL));
            address.ifindex.set(ifindex);
            if (Native.libc().bind(fd, address, 20) < 0) {
                throw new LinkException(null, "bind(AF_PACKET, ifindex " + ifindex + ")", Native.errno());
            }

            PacketMreq promisc = new PacketMreq(Native.runtime());
            promisc.ifindex.set(ifindex);
            promisc.type.set(Kernel.PACKET_MR_PROMISC);
            if (Native.libc().setsockopt(fd, Kernel.SOL_PACKET, Kernel.PACKET_ADD_MEMBERSHIP, promisc, 16) < 0) {
                throw new LinkException(null, "setsockopt(PACKET_ADD_MEMBERSHIP PROMISC)", Native.errno());
            }
            return new PacketSocket(fd, mapped);
        } catch (LinkException | RuntimeException | LinkageError e) {
            if (mapped != null) {
                mapped.unmap();
            }
            Native.close(fd);
            throw e;
        }
    }

    /** One {@code struct sock_filter} packed as code(16) | jt(8) | jf(8) | k(32). */
    public static long instruction(int code, int jt, int jf, int k) {
        return ((long) (code & 0xFFFF) << 48) | ((long) (jt & 0xFF) << 40) | ((long) (jf & 0xFF) << 32) | (k & 0xFFFF_FFFFL);
    }

    private static void attachFilter(int fd, long[] filter) throws LinkException {
        // struct sock_filter[]: Pointer.put* write in native byte order, as the kernel reads them
        Pointer program = Memory.allocateDirect(Native.runtime(), filter.length * 8);
        for (int i = 0; i < filter.length; i++) {
            long insn = filter[i];
            short code = (short) (insn >>> 48);
            program.putShort(i * 8L, code);
            program.putByte(i * 8L + 2, (byte) (insn >>> 40));
            program.putByte(i * 8L + 3, (byte) (insn >>> 32));
            program.putInt(i * 8L + 4, (int) insn);
        }
        SockFprog fprog = new SockFprog(Native.runtime());
        fprog.length.set(filter.length);
        fprog.filter.set(program);
        if (Native.libc().setsockopt(fd, Kernel.SOL_SOCKET, Kernel.SO_ATTACH_FILTER, fprog, 16) < 0) {
            throw new LinkException(null, "setsockopt(SO_ATTACH_FILTER)", Native.errno());
        }
    }

    /** PACKET_IGNORE_OUTGOING (Linux 4.20+); the filter also rejects PACKET_OUTGOING for older kernels. */
    private static void ignoreOutgoing(int fd) throws LinkException {
        try {
            Native.setsockopt(fd, Kernel.SOL_PACKET, Kernel.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
        } catch (LinkException e) {
            if (e.errno() != Kernel.ENOPROTOOPT) {
                throw e;
            }
        }
    }

    /** The FORCE variant passes rmem_max/wmem_max with CAP_NET_ADMIN; the plain one is capped. */
    private static void buffer(int fd, int force, int plain, int size, String name) throws LinkException {
        try {
            Native.setsockopt(fd, Kernel.SOL_SOCKET, force, size, name + "FORCE");
        } catch (LinkException e) {
            Native.setsockopt(fd, Kernel.SOL_SOCKET, plain, size, name);
        }
    }

    public int fd() {
        return fd;
    }

    /** The receive ring, or null when frames are read with recv(2). */
    public PacketRing ring() {
        return ring;
    }

    /**
     * Frames the kernel dropped since the last call because the ring or the receive queue was
     * full ({@code PACKET_STATISTICS}, which resets on read); {@code scratch} is 12 writable bytes
     * of native memory. 0 if the kernel cannot say.
     */
    public long takeDrops(long scratch) {
        MemoryIO io = MemoryIO.getInstance();
        io.putInt(scratch + 8, 8);                                 // socklen_t: struct tpacket_stats
        if (Native.getsockopt(fd, Kernel.SOL_PACKET, Kernel.PACKET_STATISTICS, scratch, scratch + 8) < 0) {
            return 0;
        }
        return io.getInt(scratch + 4) & 0xFFFF_FFFFL;               // tp_drops
    }

    /** Closes the socket and unmaps its ring: only when no thread can read the ring any more. */
    @Override
    public void close() {
        Native.close(fd);
        if (ring != null) {
            ring.unmap();
        }
    }

    /** Closes the socket but leaves its ring mapped (a thread may still read it): the mapping leaks. */
    public void closeKeepingRing() {
        Native.close(fd);
    }
}
