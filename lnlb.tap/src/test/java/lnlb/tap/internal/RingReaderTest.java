package lnlb.tap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import lnlb.core.api.FrameReceiver;
import lnlb.tap.internal.linux.Kernel;
import lnlb.tap.internal.linux.PacketRing;
import org.junit.jupiter.api.Test;

/**
 * The ring reader over plain memory, this test playing the kernel: it fills slots the way
 * tpacket_rcv does (struct tpacket2_hdr in native order, the virtio-net header right before the
 * frame, the status word last) and checks what the reader hands over, counts and gives back.
 */
class RingReaderTest {
    /** Where the kernel puts the Ethernet header in a slot with PACKET_VNET_HDR (TPACKET_ALIGN'ed). */
    private static final int MAC = 82;

    private final ByteBuffer memory = ByteBuffer.allocateDirect(PacketRing.SLOTS * PacketRing.SLOT);
    private final ByteBuffer headers = memory.duplicate().order(ByteOrder.nativeOrder());
    private final PacketRing ring = PacketRing.over(memory);
    private final RingReader reader = new RingReader(ring);
    /** Next slot the "kernel" fills. */
    private int kernelSlot;

    private final List<String> seen = new ArrayList<>();
    private final FrameReceiver recorder = (buffer, offset, length) -> {
        assertSame(ring.frames(), buffer, "handed over in place");
        assertEquals(0x5A, buffer.get(offset - 10) & 0xFF, "the virtio-net header precedes the frame");
        seen.add(buffer.getInt(offset + 14) + "/" + length);
    };
    private int copies;
    private final RingReader.CopyPath copyPath = receiver -> {
        copies++;
        return 1;
    };

    /** Fills the next slot: a frame of {@code length} bytes, {@code snap} of them in the slot, tagged {@code tag}. */
    private void kernelWrites(int status, int length, int snap, int tag) {
        int at = PacketRing.offset(kernelSlot);
        assertEquals(Kernel.TP_STATUS_KERNEL, headers.getInt(at), "the kernel only fills a slot it owns");
        headers.putInt(at + 4, length);
        headers.putInt(at + 8, snap);
        headers.putShort(at + 12, (short) MAC);
        memory.put(at + MAC - 10, (byte) 0x5A);
        memory.putInt(at + MAC + 14, tag);
        headers.putInt(at, status);
        kernelSlot = (kernelSlot + 1) % PacketRing.SLOTS;
    }

    @Test
    void framesInPlaceCopiesCutAndRunts() throws Exception {
        kernelWrites(Kernel.TP_STATUS_USER, 60, 60, 1);
        kernelWrites(Kernel.TP_STATUS_USER | Kernel.TP_STATUS_COPY, 65_000, 1_900, 2);
        kernelWrites(Kernel.TP_STATUS_USER, 9_000, 1_900, 3);             // cut: no copy
        kernelWrites(Kernel.TP_STATUS_USER, 10, 10, 4);                   // runt
        kernelWrites(Kernel.TP_STATUS_USER | Kernel.TP_STATUS_LOSING, 1_514, 1_514, 5);

        assertTrue(reader.ready());
        assertEquals(3, reader.receive(recorder, 64, copyPath));
        assertEquals(List.of("1/60", "5/1514"), seen);
        assertEquals(1, copies);
        assertEquals(1, reader.copied());
        assertEquals(1, reader.cut());
        assertEquals(1, reader.runts());
        assertEquals(2, reader.received());
        assertFalse(reader.ready());
        for (int slot = 0; slot < 5; slot++) {
            assertEquals(Kernel.TP_STATUS_KERNEL, ring.status(PacketRing.offset(slot)), "slot " + slot + " given back");
        }
        assertEquals(0, reader.receive(recorder, 64, copyPath));
    }

    @Test
    void batchBoundsOneCallAndOrderHoldsAcrossTheWrap() throws Exception {
        int total = PacketRing.SLOTS * 2 + 7;
        int written = 0;
        int expected = 0;
        while (expected < total) {
            while (written < total && written - expected < PacketRing.SLOTS) {  // the kernel fills what is free
                kernelWrites(Kernel.TP_STATUS_USER, 100, 100, written++);
            }
            int before = seen.size();
            int handed = reader.receive(recorder, 64, copyPath);
            assertTrue(handed > 0 && handed <= 64, "one batch: " + handed);
            for (int i = before; i < seen.size(); i++) {
                assertEquals(expected++ + "/100", seen.get(i));
            }
        }
        assertEquals(total, reader.received());
    }

    @Test
    void aSlotGoesBackEvenWhenTheReceiverThrows() throws Exception {
        kernelWrites(Kernel.TP_STATUS_USER, 60, 60, 1);
        kernelWrites(Kernel.TP_STATUS_USER, 60, 60, 2);
        FrameReceiver failing = (buffer, offset, length) -> {
            throw new IllegalStateException("receiver broke");
        };
        assertThrows(IllegalStateException.class, () -> reader.receive(failing, 64, copyPath));
        assertEquals(Kernel.TP_STATUS_KERNEL, ring.status(PacketRing.offset(0)));
        assertEquals(1, reader.receive(recorder, 64, copyPath));
        assertEquals(List.of("2/60"), seen);
    }
}
