package lnlb.core.internal.engine;

import java.nio.ByteBuffer;
import lnlb.core.api.Cluster;
import lnlb.core.api.NodeAddress;
import lnlb.core.internal.wire.ClusterMessage;
import lnlb.core.internal.wire.ClusterMessage.AskRetransmit;
import lnlb.core.internal.wire.ClusterMessage.Commit;
import lnlb.core.internal.wire.ClusterMessage.Committed;
import lnlb.core.internal.wire.ClusterMessage.Conntrack;
import lnlb.core.internal.wire.ClusterMessage.Heartbeat;
import lnlb.core.internal.wire.ClusterMessage.Join;
import lnlb.core.internal.wire.ClusterMessage.Prepare;
import lnlb.core.internal.wire.ClusterMessage.Prepared;
import lnlb.core.internal.wire.ClusterMessage.Retransmit;
import lnlb.core.internal.wire.ClusterMessage.Welcome;
import lnlb.core.internal.wire.Reassembler;
import lnlb.core.internal.wire.ReceivedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster frames in: reassembled and checked by the {@link Reassembler}, the sender marked alive,
 * and each message handed to the part of the engine it concerns. A joining node records what it
 * cannot use yet (everything but WELCOME and CONNTRACK) for its replay.
 */
final class MessageIntake extends EnginePart {
    private static final Logger LOG = LoggerFactory.getLogger(MessageIntake.class);

    private final Reassembler reassembler;
    private final ViewChange viewChange;
    private final Liveness liveness;
    private final JoinSync joinSync;
    private final Runnable rejoin;

    MessageIntake(Shared shared, Reassembler reassembler, ViewChange viewChange, Liveness liveness, JoinSync joinSync,
            Runnable rejoin) {
        super(shared);
        this.reassembler = reassembler;
        this.viewChange = viewChange;
        this.liveness = liveness;
        this.joinSync = joinSync;
        this.rejoin = rejoin;
    }

    void onClusterFrame(ByteBuffer buffer, int offset, int length) {
        ReceivedMessage received = reassembler.accept(buffer, offset, length, cluster.nowMillis());
        if (received == null) {
            return;
        }
        if (received.sender() == cluster.localNode()) {
            liveness.onForgedOwnMessage(received.message());
            return;
        }
        counters.clusterMessages++;
        Peer peer = membership.heardFrom(received.sender(), cluster.nowMillis());
        if (received.message() instanceof Join j) {
            peer.state = Peer.JOINING; // every node sees the same JOIN: it restarted or is new
            peer.rules = j.rules();
        } else if (received.message() instanceof Heartbeat h) {
            heard(peer, h.epoch(), h.weight(), h.state(), h.flags(), h.rules());
        } else if (received.message() instanceof Retransmit r) {
            heard(peer, r.epoch(), r.weight(), r.state(), r.flags(), r.rules());
        }
        if (standing.joining()) {
            if (received.message() instanceof Welcome || received.message() instanceof Conntrack) {
                handle(received.sender(), received.message());
            } else {
                joinSync.record(received); // replayed in stream order, with the recorded datagrams
            }
            return;
        }
        handle(received.sender(), received.message());
    }

    private void heard(Peer peer, long epoch, int weight, int peerState, int flags, int rules) {
        peer.epoch = epoch;
        peer.weight = Math.max(1, weight);
        peer.state = peerState;
        peer.draining = (flags & ClusterMessage.DRAINING) != 0;
        peer.rules = rules;
        standing.sawEpoch(epoch);
        if (standing.joining() && peerState == Peer.MEMBER) {
            noteRefusal(peer);
        }
    }

    /** A joining node that hears a member with other port rules knows why nobody welcomes it. */
    private void noteRefusal(Peer member) {
        int own = standing.ownRules.digest();
        if (member.rules == 0 || member.rules == own || member.node != membership.lowestLiveMember(cluster.nowMillis())) {
            return;
        }
        String why = String.format("refused: the cluster's port rules (digest %08x, from %s) differ from this "
                + "node's (%08x: %s)", member.rules, NodeAddress.format(member.node), own, standing.ownRules.text());
        if (!why.equals(standing.refusal)) {
            LOG.error("{}: {}; set the same affinity and port.rules on every node", cluster.name(), why);
            standing.refusal = why;
        }
    }

    void handle(long sender, ClusterMessage message) {
        try {
            dispatch(sender, message);
        } catch (RuntimeException e) {
            // A well-formed message the protocol cannot use: drop it, keep the loop and the node.
            counters.badMessages++;
            LOG.warn("{}: dropped {} from {}: {}", cluster.name(), ClusterMessage.typeName(message.type()),
                    NodeAddress.format(sender), e.toString());
        }
    }

    private void dispatch(long sender, ClusterMessage message) {
        switch (message.type()) {
            case ClusterMessage.JOIN -> onJoin(sender);
            case ClusterMessage.WELCOME -> joinSync.onWelcome(sender, (Welcome) message);
            case ClusterMessage.CONNTRACK -> joinSync.onConntrack(sender, (Conntrack) message);
            case ClusterMessage.HEARTBEAT, ClusterMessage.RETRANSMIT -> liveness.onHeartbeat(sender);
            case ClusterMessage.ASK_RETRANSMIT -> liveness.onAskRetransmit((AskRetransmit) message);
            case ClusterMessage.LEAVE -> liveness.onLeave(sender);
            case ClusterMessage.PREPARE -> viewChange.onPrepare(sender, WireViews.toView(((Prepare) message).view()));
            case ClusterMessage.PREPARED -> viewChange.onPrepared(sender, ((Prepared) message).epoch());
            case ClusterMessage.COMMIT -> onCommit(WireViews.toView(((Commit) message).view()));
            case ClusterMessage.COMMITTED -> viewChange.onCommitted(sender, (Committed) message);
            default -> { }
        }
    }

    private void onJoin(long joiner) {
        if (rulesDiffer(joiner)) {
            return;
        }
        if (viewChange.isCoordinator() && !viewChange.busy() && !standing.view.contains(joiner)
                && joinSync.mayWelcome(joiner, cluster.nowMillis())) {
            joinSync.welcome(joiner); // otherwise the joiner repeats JOIN; it is served when this node is idle
        }
    }

    /** A joiner whose port rules differ from the view's is refused: it would decide differently. */
    private boolean rulesDiffer(long joiner) {
        Peer peer = membership.peer(joiner);
        PortRules rules = standing.view.rules();
        if (peer == null || peer.rules == 0 || peer.rules == rules.digest() || !viewChange.isCoordinator()) {
            return false;
        }
        counters.refusedJoins++;
        if (!peer.refusalLogged) {
            peer.refusalLogged = true;
            LOG.error("{}: refusing {}: its port rules (digest {}) differ from the view's ({}: {})", cluster.name(),
                    NodeAddress.format(joiner), String.format("%08x", peer.rules), rules.digestText(), rules.text());
        }
        return true;
    }

    private void onCommit(View committed) {
        if (viewChange.onCommit(committed)) {
            LOG.warn("{}: the cluster removed this node at {}; rejoining", cluster.name(), committed);
            rejoin.run();
        }
    }
}
