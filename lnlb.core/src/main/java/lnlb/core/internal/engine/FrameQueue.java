package lnlb.core.internal.engine;

import java.nio.ByteBuffer;

/**
 * A bounded FIFO of frame copies in one preallocated buffer (a ring of length-prefixed records), for
 * datagrams that must wait: undecided ones during a table change, and everything a joining node
 * sees before it holds the cluster's state. A full queue refuses the frame; the caller counts the
 * drop. Single-threaded.
 */
final class FrameQueue {
    private static final int RECORD_HEADER = 8;

    private final int capacityBytes;
    private final int maxFrames;
    /** Allocated at the first offer (or by {@link #reserve()}) and kept: most queues are empty most of the time. */
    private ByteBuffer ring;
    private int head;
    private int tail;
    private int used;
    private int frames;

    FrameQueue(int capacityBytes, int maxFrames) {
        this.capacityBytes = capacityBytes;
        this.maxFrames = maxFrames;
    }

    /**
     * Copies {@code buffer[offset - headroom, offset + length)}; false if it does not fit. A record
     * never wraps: when the tail has no room the rest of the ring is skipped.
     */
    boolean offer(ByteBuffer buffer, int offset, int length, int headroom) {
        int size = RECORD_HEADER + headroom + length;
        if (frames >= maxFrames || size > capacityBytes) {
            return false;
        }
        if (ring == null) {
            ring = ByteBuffer.allocateDirect(capacityBytes);
        }
        int start = tail;
        int skip = 0;
        if (start + size > ring.capacity()) {
            skip = ring.capacity() - start;
            start = 0;
        }
        if (used + skip + size > ring.capacity()) {
            return false;
        }
        if (skip > 0 && skip >= 4) {
            ring.putInt(tail, -1); // marks the skipped end of the ring
        }
        ring.putInt(start, headroom);
        ring.putInt(start + 4, length);
        ring.put(start + RECORD_HEADER, buffer, offset - headroom, headroom + length);
        tail = start + size;
        used += skip + size;
        frames++;
        return true;
    }

    /** Hands the oldest frame to {@code receiver} (offset just past its headroom), then frees it; false if empty. */
    boolean poll(Consumer receiver) {
        if (frames == 0) {
            return false;
        }
        if (head + RECORD_HEADER > ring.capacity() || ring.getInt(head) == -1) {
            used -= ring.capacity() - head;
            head = 0;
        }
        int headroom = ring.getInt(head);
        int length = ring.getInt(head + 4);
        int size = RECORD_HEADER + headroom + length;
        int offset = head + RECORD_HEADER + headroom;
        head += size;
        used -= size;
        frames--;
        if (frames == 0) {
            head = 0;
            tail = 0;
            used = 0;
        }
        // The record stays intact until the next offer, so the receiver may read it in place.
        receiver.frame(ring, offset, length);
        return true;
    }

    /** Hands every frame to {@code receiver}, oldest first, without removing any. */
    void forEach(Consumer receiver) {
        int at = head;
        for (int i = 0; i < frames; i++) {
            if (at + RECORD_HEADER > ring.capacity() || ring.getInt(at) == -1) {
                at = 0;
            }
            int headroom = ring.getInt(at);
            int length = ring.getInt(at + 4);
            receiver.frame(ring, at + RECORD_HEADER + headroom, length);
            at += RECORD_HEADER + headroom + length;
        }
    }

    int size() {
        return frames;
    }

    boolean isEmpty() {
        return frames == 0;
    }

    /** Allocates the buffer if it is not there yet. */
    void reserve() {
        if (ring == null) {
            ring = ByteBuffer.allocateDirect(capacityBytes);
        }
    }

    /** True once the buffer exists. */
    boolean allocated() {
        return ring != null;
    }

    void clear() {
        head = 0;
        tail = 0;
        used = 0;
        frames = 0;
    }

    interface Consumer {
        void frame(ByteBuffer buffer, int offset, int length);
    }
}
