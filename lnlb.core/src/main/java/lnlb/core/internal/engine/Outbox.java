package lnlb.core.internal.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import lnlb.core.internal.wire.ClusterMessage;
import lnlb.core.internal.wire.ClusterMessage.Heartbeat;
import lnlb.core.internal.wire.Fragmenter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything this node says to the cluster: fragmented, sealed when there is a key, numbered, sent. */
final class Outbox extends EnginePart {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final Fragmenter fragmenter;
    private final byte[] vip16;
    private final WeightSource weights;
    private int messageId;

    Outbox(Shared shared, Fragmenter fragmenter, byte[] vip16, WeightSource weights) {
        super(shared);
        this.fragmenter = fragmenter;
        this.vip16 = vip16;
        this.weights = weights;
    }

    void send(ClusterMessage message) {
        try {
            fragmenter.send(message, vip16, self, cluster.clusterMac(), messageId++, this::transmit);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: cannot send {}: {}", cluster.name(), ClusterMessage.typeName(message.type()), e.getMessage());
        }
    }

    void heartbeat() {
        send(new Heartbeat(standing.view.epoch(), weight(), standing.code(), standing.flags(), standing.ownRules.digest()));
    }

    /** This node's weight now (at least 1). */
    int weight() {
        return Math.max(1, weights.weight());
    }

    private void transmit(ByteBuffer frame) {
        try {
            link.transmit(frame);
        } catch (IOException e) {
            counters.transmitErrors++;
        }
    }
}
