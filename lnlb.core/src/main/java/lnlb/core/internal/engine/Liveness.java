package lnlb.core.internal.engine;

import lnlb.core.api.NodeAddress;
import lnlb.core.internal.wire.ClusterMessage;
import lnlb.core.internal.wire.ClusterMessage.AskRetransmit;
import lnlb.core.internal.wire.ClusterMessage.Commit;
import lnlb.core.internal.wire.ClusterMessage.Heartbeat;
import lnlb.core.internal.wire.ClusterMessage.Leave;
import lnlb.core.internal.wire.ClusterMessage.Retransmit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is alive, and whether this node may go on deciding: heartbeats out, retransmit requests for
 * silent members, LEAVE, the majority rule, a freeze of this node's own loop, two clusters that
 * formed at once, and COMMITs forged under this node's MAC. Each reason to stop deciding ends in
 * the engine's rejoin.
 */
final class Liveness extends EnginePart {
    private static final Logger LOG = LoggerFactory.getLogger(Liveness.class);

    private final Outbox outbox;
    private final ViewChange viewChange;
    private final Runnable rejoin;
    private long nextHeartbeat;
    private long lastTick;
    private long lastForgeryLog = Long.MIN_VALUE / 2;

    Liveness(Shared shared, Outbox outbox, ViewChange viewChange, Runnable rejoin) {
        super(shared);
        this.outbox = outbox;
        this.viewChange = viewChange;
        this.rejoin = rejoin;
    }

    void start(long now) {
        nextHeartbeat = now;
    }

    /** Heartbeat now if one is due (joining nodes send them too: they say who is joining). */
    boolean heartbeatIfDue(long now) {
        if (now < nextHeartbeat) {
            return false;
        }
        outbox.heartbeat();
        nextHeartbeat = now + config.heartbeatIntervalMillis();
        return true;
    }

    /** A tick ran at {@code now}; after a freeze check ({@link #rejoinIfFrozen}). */
    void ran(long now) {
        lastTick = now;
    }

    /**
     * True when this deciding node has not ticked for longer than the others wait for a silent node:
     * it was frozen (SIGSTOP, a stalled VM) long enough to be declared dead, so its view is stale.
     */
    boolean frozen(long now) {
        return lastTick != 0 && now - lastTick > config.deadAfterMillis() && standing.deciding();
    }

    /** After a freeze: accept nothing more before having rejoined. Returns whether it rejoined. */
    boolean rejoinIfFrozen(long now) {
        if (!frozen(now)) {
            return false;
        }
        LOG.warn("{}: did not run for {} ms; rejoining", cluster.name(), now - lastTick);
        rejoin.run();
        return true;
    }

    void tickMember(long now) {
        if (standing.state == ClusterEngine.State.MEMBER && majorityRuleApplies(standing.view)
                && !membership.hearsMajorityOf(standing.view, now)) {
            LOG.warn("{}: hears no majority of its view {} (quorum); accepts nothing until it has rejoined one",
                    cluster.name(), standing.view);
            rejoin.run();
            return;
        }
        if (heartbeatIfDue(now)) {
            counters.rounds++;
        }
        for (long silent : membership.toAskForRetransmit(standing.view, config.heartbeatIntervalMillis() * 3 / 2, now)) {
            outbox.send(new AskRetransmit(silent, standing.view.epoch()));
        }
        viewChange.askIfStalled(now);
        if (viewChange.isCoordinator()) {
            viewChange.coordinate(now);
        }
    }

    /** The majority rule holds for views of three or more: a pair has no majority once one of them is gone. */
    boolean majorityRuleApplies(View view) {
        return config.quorum() && view.size() >= 3;
    }

    /** Says goodbye: the others drop this node at once instead of after the death timeout. */
    void leave() {
        outbox.send(new Leave());
    }

    void onHeartbeat(long sender) {
        Peer peer = membership.peer(sender);
        View view = standing.view;
        if (peer.epoch > view.epoch() && standing.pending == null && peer.state == Peer.MEMBER && standing.deciding()) {
            // We missed a COMMIT: ask for the current view again.
            outbox.send(new AskRetransmit(sender, view.epoch()));
        }
        if (standing.state == ClusterEngine.State.MEMBER && peer.state == Peer.MEMBER && !view.contains(sender)
                && peer.epoch >= view.epoch() && sender < view.lowest() && !viewChange.proposes(sender)) {
            // Two clusters formed at once (a start-up race): the one with the higher lowest MAC yields.
            LOG.warn("{}: another cluster led by {} exists; rejoining it", cluster.name(), NodeAddress.format(sender));
            rejoin.run();
        }
    }

    void onAskRetransmit(AskRetransmit message) {
        if (message.target() != self) {
            return;
        }
        outbox.send(new Retransmit(standing.view.epoch(), outbox.weight(), standing.code(), standing.flags(),
                standing.ownRules.digest()));
        viewChange.repeatFor(message.epoch());
    }

    void onLeave(long sender) {
        Peer peer = membership.peer(sender);
        if (!peer.left) {
            LOG.info("{}: {} leaves", cluster.name(), NodeAddress.format(sender)); // once: LEAVEs may repeat
        }
        peer.left = true;
        if (viewChange.isCoordinator()) {
            viewChange.coordinate(loop.nowMillis());
        }
    }

    /**
     * A message under this node's own MAC: the links never hand a node its own frames, so another
     * host forged it (possible only without a key). Every node but this one takes it, and now sees
     * this node otherwise than it sees itself: a COMMIT switched them to a view it never made; a
     * JOIN, a LEAVE or a heartbeat of another state makes them take it for rejoining or gone, and
     * pick another coordinator while this one still coordinates (two views). It stops deciding and
     * rejoins, as they now believe it does. Messages that change nobody's picture are only counted.
     * With a key such a message can only be a replay of this node's own, which the others refuse:
     * counted, nothing else.
     */
    void onForgedOwnMessage(ClusterMessage message) {
        counters.forgedOwnMessages++;
        if (config.key() != null || !standing.deciding() || !changesHowOthersSeeThisNode(message)) {
            return;
        }
        long now = loop.nowMillis();
        if (now - lastForgeryLog >= config.heartbeatIntervalMillis()) {
            lastForgeryLog = now;
            LOG.warn("{}: a {} under this node's address that it never sent; rejoining (logged once an interval)",
                    cluster.name(), ClusterMessage.typeName(message.type()));
        }
        rejoin.run();
    }

    private boolean changesHowOthersSeeThisNode(ClusterMessage message) {
        return switch (message.type()) {
            case ClusterMessage.COMMIT -> WireViews.toView(((Commit) message).view()).epoch() > standing.view.epoch();
            case ClusterMessage.JOIN, ClusterMessage.LEAVE, ClusterMessage.PREPARE, ClusterMessage.WELCOME -> true;
            case ClusterMessage.HEARTBEAT -> ((Heartbeat) message).state() != standing.code()
                    || ((Heartbeat) message).epoch() != standing.view.epoch();
            case ClusterMessage.RETRANSMIT -> ((Retransmit) message).state() != standing.code()
                    || ((Retransmit) message).epoch() != standing.view.epoch();
            default -> false;
        };
    }
}
