package lnlb.tap.internal;

import static lnlb.core.api.Ethernet.HEADER_LENGTH;
import static lnlb.tap.internal.linux.Kernel.TP_STATUS_COPY;
import static lnlb.tap.internal.linux.Kernel.TP_STATUS_USER;

import java.nio.ByteBuffer;
import lnlb.core.api.FrameReceiver;
import lnlb.tap.internal.linux.LinkException;
import lnlb.tap.internal.linux.PacketRing;

/**
 * Reads a {@link PacketRing} in slot order: each frame is handed to the receiver in place (its
 * buffer is the ring, the virtio-net header right before the frame), then its slot goes back to
 * the kernel, whatever the receiver did. A slot flagged {@code TP_STATUS_COPY} holds a frame too
 * big for it, whose whole copy waits on the socket's queue: the {@link CopyPath} reads it. A frame
 * the kernel cut (its copy found the queue full) is counted and dropped. One thread.
 */
final class RingReader {
    /** Reads the frame of a TP_STATUS_COPY slot from the socket's queue; 1 if handed over, else 0. */
    interface CopyPath {
        int receiveCopy(FrameReceiver receiver) throws LinkException;
    }

    private final PacketRing ring;
    private final ByteBuffer frames;
    private final int end;
    /** Offset of the next slot to read. */
    private int slot;
    private long received;
    private long copied;
    private long cut;
    private long runts;

    RingReader(PacketRing ring) {
        this.ring = ring;
        this.frames = ring.frames();
        this.end = PacketRing.SLOTS * PacketRing.SLOT;
    }

    /** True when the next slot holds a frame: {@link #receive} would not return 0. */
    boolean ready() {
        return (ring.status(slot) & TP_STATUS_USER) != 0;
    }

    /** Hands up to {@code batch} frames to {@code receiver}; the number handed over. */
    int receive(FrameReceiver receiver, int batch, CopyPath copyPath) throws LinkException {
        int handed = 0;
        for (int i = 0; i < batch; i++) {
            int at = slot;
            int status = ring.status(at);
            if ((status & TP_STATUS_USER) == 0) {
                break;
            }
            try {
                if ((status & TP_STATUS_COPY) != 0) {
                    copied++;
                    handed += copyPath.receiveCopy(receiver);
                } else {
                    int snap = ring.snapLength(at);
                    if (snap < ring.length(at)) {
                        cut++;
                    } else if (snap < HEADER_LENGTH) {
                        runts++;
                    } else {
                        received++;
                        handed++;
                        receiver.onFrame(frames, at + ring.mac(at), snap);
                    }
                }
            } finally {
                ring.release(at);
                slot = at + PacketRing.SLOT == end ? 0 : at + PacketRing.SLOT;
            }
        }
        return handed;
    }

    /** The buffer frames are handed over in. */
    ByteBuffer frames() {
        return frames;
    }

    /** Frames handed over in place (not through the copy path). */
    long received() {
        return received;
    }

    /** Slots flagged TP_STATUS_COPY (GSO super-frames). */
    long copied() {
        return copied;
    }

    /** Frames the kernel cut to their slot because their copy did not fit the queue: dropped. */
    long cut() {
        return cut;
    }

    /** Frames shorter than an Ethernet header: dropped. */
    long runts() {
        return runts;
    }
}
