package lnlb.core.internal.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import lnlb.core.api.ClusterLink;
import lnlb.core.internal.wire.ClusterMessage;
import lnlb.core.internal.wire.ClusterMessage.Heartbeat;
import lnlb.core.internal.wire.Fragmenter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything this node says to the cluster: fragmented, sealed when there is a key, numbered, sent. */
final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final String name;
    private final ClusterLink link;
    private final Fragmenter fragmenter;
    private final byte[] vip16;
    private final long self;
    private final long clusterMac;
    private final EngineCounters counters;
    private final WeightSource weights;
    private final Standing standing;
    private int messageId;

    Outbox(String name, ClusterLink link, Fragmenter fragmenter, byte[] vip16, long clusterMac, EngineCounters counters,
            WeightSource weights, Standing standing) {
        this.name = name;
        this.link = link;
        this.fragmenter = fragmenter;
        this.vip16 = vip16;
        this.self = link.nodeAddress();
        this.clusterMac = clusterMac;
        this.counters = counters;
        this.weights = weights;
        this.standing = standing;
    }

    void send(ClusterMessage message) {
        try {
            fragmenter.send(message, vip16, self, clusterMac, messageId++, this::transmit);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: cannot send {}: {}", name, ClusterMessage.typeName(message.type()), e.getMessage());
        }
    }

    void heartbeat() {
        send(new Heartbeat(standing.view.epoch(), weight(), standing.code()));
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
