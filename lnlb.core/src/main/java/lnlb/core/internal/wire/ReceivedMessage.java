package lnlb.core.internal.wire;

import lnlb.core.api.NodeAddress;

/**
 * A whole message {@link Reassembler} received: who sent it (the frame's source MAC), the sender's
 * message id (u32, wraps) and the decoded body.
 */
public record ReceivedMessage(long sender, int messageId, ClusterMessage message) {
    @Override
    public String toString() {
        return "ReceivedMessage[sender=" + NodeAddress.format(sender) + ", messageId="
                + Integer.toUnsignedString(messageId) + ", message=" + message + "]";
    }
}
