package lnlb.core.internal.engine;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import lnlb.core.internal.wire.ReceivedMessage;

/**
 * Everything a joining node sees before it holds the cluster's state, in stream order: datagram
 * frames (copied, bounded) and cluster messages (kept decoded, each marked by an empty record in
 * the frame queue). Replayed once the state is loaded, so the node ends where the others are.
 */
final class JoinRecorder {
    /** Receives the recording in order. */
    interface Replay {
        void frame(ByteBuffer buffer, int offset, int length);

        void message(ReceivedMessage message);
    }

    private static final ByteBuffer MARKER = ByteBuffer.allocate(64);

    private final FrameQueue frames;
    private final ArrayDeque<ReceivedMessage> messages = new ArrayDeque<>();

    JoinRecorder(int capacityBytes, int maxFrames) {
        this.frames = new FrameQueue(capacityBytes, maxFrames);
    }

    /** False when full: the frame is lost, and the caller counts it. */
    boolean frame(ByteBuffer buffer, int offset, int length, int headroom) {
        return frames.offer(buffer, offset, length, headroom);
    }

    boolean message(ReceivedMessage message) {
        if (!frames.offer(MARKER, 0, 0, 0)) {
            return false;
        }
        messages.add(message);
        return true;
    }

    /** Allocates the buffer now (off the hot path), not at the first recorded frame. */
    void reserve() {
        frames.reserve();
    }

    int size() {
        return frames.size();
    }

    /** Hands everything over in order, then empties the recording. */
    void replay(Replay replay) {
        while (frames.poll((buffer, offset, length) -> {
            if (length == 0) {
                ReceivedMessage message = messages.poll();
                if (message != null) {
                    replay.message(message);
                }
            } else {
                replay.frame(buffer, offset, length);
            }
        })) {
            // one record per poll
        }
        clear();
    }

    /**
     * Empties the recording but keeps the buffer: a node rejoins on its loop (after a freeze, when
     * another cluster exists, when removed), and allocating (zeroing) the buffer there again stalled
     * the loop for 0.5-3 s in the lab, long enough to be declared dead again in the middle of the join.
     */
    void clear() {
        messages.clear();
        frames.clear();
    }

    boolean reserved() {
        return frames.allocated();
    }
}
