package lnlb.core.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/** Receives Ethernet frames from a {@link ClusterLink}; the buffer is valid only during the call. */
@ConsumerType
@FunctionalInterface
public interface FrameReceiver {
    /**
     * One Ethernet frame at {@code buffer[offset, offset + length)}. The link's
     * {@link ClusterLink#headroom()} bytes before {@code offset} belong to the frame too and must be
     * kept with it if the frame is later {@link ClusterLink#deliver delivered}.
     */
    void onFrame(ByteBuffer buffer, int offset, int length);
}
