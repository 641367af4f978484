package lnlb.core.internal.wire;

import java.nio.ByteBuffer;

/** Where {@link Fragmenter} hands the frames it writes, typically the cluster's link. */
@FunctionalInterface
public interface FrameSink {
    /**
     * Sends one Ethernet frame: the bytes from {@code frame}'s position to its limit. The buffer
     * is reused for the next frame, so it is valid only during the call; the sink may move its
     * position.
     */
    void frame(ByteBuffer frame);
}
