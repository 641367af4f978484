package lnlb.tap.internal.linux;

import com.kenai.jffi.MemoryIO;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A TPACKET_V2 receive ring mapped from a packet socket: the kernel writes each frame into a slot
 * of {@link #SLOT} bytes and hands the slot over by its status word; the reader reads the frame in
 * place and hands it back. V2, not V3: V3 signals a block only when it is full or a timer fires,
 * which delays a lone frame by milliseconds. A frame larger than a slot (a GSO super-frame) comes
 * flagged {@code TP_STATUS_COPY}, its whole copy queued on the socket for an ordinary recv
 * ({@code PACKET_COPY_THRESH}).
 *
 * <p>Slot layout ({@code struct tpacket2_hdr}, native order): status at 0, len at 4, snaplen at 8,
 * mac (offset of the Ethernet header in the slot) at 12, sec at 16, nsec at 20. With
 * {@code PACKET_VNET_HDR} the virtio-net header sits right before the Ethernet header, so the slot
 * can be written to a TAP as it is. Frames are in network order ({@link #frames()}).
 *
 * <p>The mapping has no cleaner: {@link #unmap} only when nothing can touch {@link #frames()}
 * any more (the link does it under its I/O lock); a late access would crash the JVM.
 */
public final class PacketRing {
    /** Bytes per slot: a 1,514-byte frame with its headers fits; bigger ones take the copy path. */
    public static final int SLOT = 2048;
    static final int BLOCK = 1 << 20;
    static final int BLOCKS = 8;
    /** Slots in the ring (4,096 with these sizes: 8 MiB). */
    public static final int SLOTS = BLOCK / SLOT * BLOCKS;

    private static final VarHandle STATUS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int LEN = 4;
    private static final int SNAPLEN = 8;
    private static final int MAC = 12;
    private static final int SEC = 16;
    private static final int NSEC = 20;

    private final long address;
    private final long size;
    private final ByteBuffer frames;
    private final ByteBuffer headers;
    private boolean mapped;

    private PacketRing(long address, long size, boolean mapped) {
        this.address = address;
        this.size = size;
        this.mapped = mapped;
        this.frames = MemoryIO.getInstance().newDirectByteBuffer(address, (int) size).order(ByteOrder.BIG_ENDIAN);
        this.headers = frames.duplicate().order(ByteOrder.nativeOrder());
    }

    /**
     * Sets {@code fd} (an AF_PACKET socket, {@code PACKET_VNET_HDR} already set, not yet bound) to
     * TPACKET_V2 with the copy threshold, and maps its ring. Nothing to undo on failure but the socket.
     */
    static PacketRing map(int fd) throws LinkException {
        Native.setsockopt(fd, Kernel.SOL_PACKET, Kernel.PACKET_VERSION, Kernel.TPACKET_V2, "PACKET_VERSION TPACKET_V2");
        Native.setsockopt(fd, Kernel.SOL_PACKET, Kernel.PACKET_COPY_THRESH, 1, "PACKET_COPY_THRESH");
        ByteBuffer request = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());   // struct tpacket_req
        request.putInt(0, BLOCK).putInt(4, BLOCKS).putInt(8, SLOT).putInt(12, SLOTS);
        Native.setsockopt(fd, Kernel.SOL_PACKET, Kernel.PACKET_RX_RING, Native.address(request), 16, "PACKET_RX_RING");
        long size = (long) BLOCK * BLOCKS;
        return new PacketRing(Native.mmap(fd, size, "packet ring"), size, true);
    }

    /**
     * A ring over {@code memory} (a direct buffer of at least {@link #SLOTS} slots), not a mapping:
     * for tests that play the kernel's part. {@link #unmap} leaves it alone.
     */
    public static PacketRing over(ByteBuffer memory) {
        long size = (long) SLOTS * SLOT;
        if (!memory.isDirect() || memory.capacity() < size) {
            throw new IllegalArgumentException("needs a direct buffer of " + size + " bytes");
        }
        return new PacketRing(Native.address(memory), size, false);
    }

    /** The whole mapping, network order: a frame at {@code offset(slot) + mac(slot)}. */
    public ByteBuffer frames() {
        return frames;
    }

    /** Native address of {@link #frames()}' first byte. */
    public long address() {
        return address;
    }

    /** Offset of slot {@code index} in the mapping. */
    public static int offset(int index) {
        return index * SLOT;
    }

    /** The slot's status, read with acquire semantics (the kernel's writes to the slot are visible after it). */
    public int status(int slot) {
        return (int) STATUS.getAcquire(headers, slot);
    }

    /** Hands the slot back to the kernel (release: this thread's reads of it happen before). */
    public void release(int slot) {
        STATUS.setRelease(headers, slot, Kernel.TP_STATUS_KERNEL);
    }

    /** The frame's length on the wire. */
    public int length(int slot) {
        return headers.getInt(slot + LEN);
    }

    /** Bytes of it in the slot (less than {@link #length} when cut). */
    public int snapLength(int slot) {
        return headers.getInt(slot + SNAPLEN);
    }

    /** Offset of the Ethernet header from the slot's start. */
    public int mac(int slot) {
        return headers.getShort(slot + MAC) & 0xFFFF;
    }

    /** When the kernel received the frame (CLOCK_REALTIME), in nanoseconds. */
    public long timestampNanos(int slot) {
        return (headers.getInt(slot + SEC) & 0xFFFF_FFFFL) * 1_000_000_000L + (headers.getInt(slot + NSEC) & 0xFFFF_FFFFL);
    }

    public long size() {
        return size;
    }

    /** Unmaps the ring; idempotent. Only when no thread can read {@link #frames()} any more. */
    void unmap() {
        if (mapped) {
            mapped = false;
            Native.munmap(address, size);
        }
    }
}
