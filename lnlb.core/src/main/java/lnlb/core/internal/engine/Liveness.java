package lnlb.core.internal.engine;

import lnlb.core.api.NodeAddress;
import lnlb.core.internal.wire.ClusterMessage;
import lnlb.core.internal.wire.ClusterMessage.AskRetransmit;
import lnlb.core.internal.wire.ClusterMessage.Commit;
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
        outbox.send(new Retransmit(standing.view.epoch(), outbox.weight(), standing.code()));
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
     * host forged it (possible only without a key). Every node but this one takes it; a COMMIT
     * switches all of them to a view this node never made. It stops accepting and rejoins rather
     * than decide by another view than theirs.
     */
    void onForgedOwnMessage(ClusterMessage message) {
        counters.forgedOwnMessages++;
        if (message instanceof Commit commit && standing.deciding()
                && WireViews.toView(commit.view()).epoch() > standing.view.epoch()) {
            LOG.warn("{}: a COMMIT under this node's address that it never sent switched the others to epoch {};"
                    + " rejoining", cluster.name(), WireViews.toView(commit.view()).epoch());
            rejoin.run();
        }
    }
}
