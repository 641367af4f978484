package lnlb.core.internal.engine;

import java.util.Set;
import java.util.TreeSet;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.internal.wire.ClusterMessage.AskRetransmit;
import lnlb.core.internal.wire.ClusterMessage.Commit;
import lnlb.core.internal.wire.ClusterMessage.Committed;
import lnlb.core.internal.wire.ClusterMessage.Prepare;
import lnlb.core.internal.wire.ClusterMessage.Prepared;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a view changes: the coordinator (the lowest live member) proposes (PREPARE), every member of
 * the proposal answers (PREPARED), and one COMMIT frame switches every node but its sender at the
 * same point of the frame stream. The sender switches a frame-transit earlier: it holds the
 * datagrams the two views decide differently (the {@link CommitWindow}) until the first COMMITTED
 * tells it, from the other node's {@link AmbiguityLog}, which of them were decided under the old
 * view. Both sides of that exchange live here.
 */
final class ViewChange extends EnginePart {
    private static final Logger LOG = LoggerFactory.getLogger(ViewChange.class);

    private final Outbox outbox;
    private final Decider decider;
    private final CommitWindow window;
    private final AmbiguityLog ambiguities;

    // Every member: who proposed the pending view (Standing#pending), and since when.
    private long pendingProposer = NodeAddress.NONE;
    private long pendingSince;

    // Coordinator: our proposal waiting for PREPARED.
    private View proposal;
    private final Set<Long> awaitingPrepared = new TreeSet<>();
    private long proposalDeadline;

    // Every member: when the current view was switched to (a new coordinator knows it too).
    /** When the last weight-only view was switched to: the next waits {@code weightChangeMillis} from there. */
    private long weightChangedAt = Long.MIN_VALUE / 2;

    ViewChange(Shared shared, Outbox outbox, Decider decider, CommitWindow window, AmbiguityLog ambiguities) {
        super(shared);
        this.outbox = outbox;
        this.decider = decider;
        this.window = window;
        this.ambiguities = ambiguities;
    }

    /** The node that changes views as this node sees it: the lowest live member. */
    long coordinator() {
        return membership.coordinator(standing.view, loop.nowMillis());
    }

    boolean isCoordinator() {
        return standing.state == ClusterEngine.State.MEMBER && coordinator() == self;
    }

    /** True while a view change of this coordinator's is under way: a joiner waits. */
    boolean busy() {
        return proposal != null || window.isOpen();
    }

    /** True when {@code node} is in the view being proposed. */
    boolean proposes(long node) {
        View pending = standing.pending;
        return pending != null && pending.contains(node) || proposal != null && proposal.contains(node);
    }

    /** Forgets any change under way (the node rejoins). */
    void reset() {
        standing.pending = null;
        proposal = null;
        window.clear();
    }

    // ---------------------------------------------------------------- every member

    void onPrepare(long sender, View proposed) {
        if (!standing.deciding() || proposed.epoch() <= standing.view.epoch()) {
            return;
        }
        View pending = standing.pending;
        boolean replaces = pending == null || proposed.epoch() > pending.epoch()
                || proposed.epoch() == pending.epoch() && sender <= pendingProposer;
        if (replaces) {
            if (pending == null || pending.epoch() != proposed.epoch() || pendingProposer != sender) {
                ambiguities.clear();
            }
            standing.pending = proposed;
            pendingProposer = sender;
            pendingSince = loop.nowMillis();
            standing.sawEpoch(proposed.epoch());
        }
        if (waitsForModule(proposed)) {
            return; // answered when the coordinator repeats PREPARE and the module is back
        }
        outbox.send(new Prepared(proposed.epoch()));
    }

    /**
     * Switches to a COMMITted view and reports the racing datagrams it decided under the old one.
     * Returns true when that view removed this node (it must rejoin).
     */
    boolean onCommit(View committed) {
        if (!standing.deciding() || committed.epoch() <= standing.view.epoch()) {
            return false;
        }
        View pending = standing.pending;
        boolean logged = pending != null && pending.epoch() == committed.epoch() && pending.sameMembership(committed);
        View old = switchTo(committed, "view");
        forgetRemoved(old, committed);
        outbox.send(logged ? committedFromLog(committed.epoch())
                : new Committed(committed.epoch(), true, new int[0], new long[0], new long[0]));
        return !committed.contains(self) && old.contains(self);
    }

    /** A member heard no COMMIT for a while after PREPARE: it asks the proposer to say it again. */
    void askIfStalled(long now) {
        if (standing.pending != null && pendingProposer != self && now - pendingSince > 2 * config.heartbeatIntervalMillis()) {
            pendingSince = now;
            outbox.send(new AskRetransmit(pendingProposer, standing.view.epoch()));
        }
    }

    /** Someone missed a message of this coordinator's: the COMMIT of the current view, or the PREPARE under way. */
    void repeatFor(long theirEpoch) {
        if (theirEpoch < standing.view.epoch() && standing.state == ClusterEngine.State.MEMBER) {
            outbox.send(new Commit(WireViews.toWire(standing.view)));
        } else if (proposal != null) {
            outbox.send(new Prepare(WireViews.toWire(proposal)));
        }
    }

    private Committed committedFromLog(long epoch) {
        int n = ambiguities.size();
        int[] slots = new int[n];
        long[] keys = new long[n];
        long[] digests = new long[n];
        for (int i = 0; i < n; i++) {
            slots[i] = ambiguities.slot(i);
            keys[i] = ambiguities.key(i);
            digests[i] = ambiguities.digestAt(i);
        }
        return new Committed(epoch, ambiguities.overflow(), slots, keys, digests);
    }

    /** The one switch of views, for a received COMMIT and the coordinator's own. */
    private View switchTo(View next, String how) {
        View old = standing.switchTo(next);
        standing.pending = null;
        pendingProposer = NodeAddress.NONE;
        counters.viewChanges++;
        if (next.sameMembers(old) && next.sameSettings(old)) {
            counters.weightViewChanges++;
            weightChangedAt = loop.nowMillis();
        }
        LOG.info("{}: {} {}", cluster.name(), how, next);
        return old;
    }

    /** Modules forget the nodes {@code next} no longer holds. */
    private void forgetRemoved(View old, View next) {
        for (int i = 0; i < old.size(); i++) {
            long node = old.member(i);
            if (!next.contains(node)) {
                counters.deaths++;
                for (ProtocolModule module : modules.distinct()) {
                    modules.run(module, "nodeDied", () -> module.nodeDied(cluster, node));
                }
            }
        }
    }

    /**
     * A protocol without a module holds its datagrams, which the other nodes decide at once by the
     * view of the moment: a view that only changes weights waits until the module is back (or its
     * grace period ends), so that the held ones are decided by that view here too. A node that
     * dies or joins changes the view at once.
     */
    private boolean waitsForModule(View next) {
        return modules.anyOrphaned() && next.sameMembers(standing.view);
    }

    // ---------------------------------------------------------------- coordinator

    void onPrepared(long sender, long epoch) {
        if (proposal == null || epoch != proposal.epoch()) {
            return;
        }
        awaitingPrepared.remove(sender);
        if (awaitingPrepared.isEmpty() && !waitsForModule(proposal)) {
            commitProposal();
        }
    }

    void onCommitted(long sender, Committed message) {
        if (!window.isOpen() || message.epoch() != standing.view.epoch() || !window.old().contains(sender)) {
            return;
        }
        resolveWindow(message);
    }

    /** The coordinator's turn: close an expired window, push the proposal under way, or propose the view the cluster should have. */
    void coordinate(long now) {
        if (window.isOpen()) {
            if (now >= window.deadline()) {
                counters.commitAckTimeouts++;
                LOG.warn("{}: no COMMITTED for epoch {}; racing datagrams decided by the new view", cluster.name(),
                        standing.view.epoch());
                resolveWindow(null);
            }
            return;
        }
        if (proposal != null) {
            for (Long node : awaitingPrepared) {
                if (!membership.isAlive(node, now) || membership.isRejoining(node)) {
                    // Silent, or it restarted and joins again: it will never answer this proposal.
                    LOG.info("{}: {} went away during a view change; proposing again", cluster.name(), NodeAddress.format(node));
                    proposal = null;
                    break;
                }
            }
            if (proposal != null) {
                if (now >= proposalDeadline) {
                    outbox.send(new Prepare(WireViews.toWire(proposal)));
                    proposalDeadline = now + config.heartbeatIntervalMillis();
                }
                return;
            }
        }
        View desired = membership.desired(standing.view, outbox.weight(), standing.draining, standing.ownRules,
                standing.nextEpoch(), now);
        if (!desired.sameMembership(standing.view) && !waitsForModule(desired) && !weightsMustWait(desired, now)) {
            propose(desired, now);
        }
    }

    /**
     * Weight-only changes are rate-limited (issue 16: an idle node committed a view every 5 s as
     * its load average moved): at most one per {@code weightChangeMillis}, so the first after a
     * quiet while (an operator's {@code weight}) goes at once. A join, a death or a leave is
     * proposed at once, with the weights of the moment.
     */
    private boolean weightsMustWait(View desired, long now) {
        return desired.sameMembers(standing.view) && desired.sameSettings(standing.view)
                && now - weightChangedAt < config.weightChangeMillis();
    }

    private void propose(View next, long now) {
        standing.highestEpochSeen = next.epoch();
        proposal = next;
        standing.pending = next;
        pendingProposer = self;
        awaitingPrepared.clear();
        for (int i = 0; i < next.size(); i++) {
            if (next.member(i) != self) {
                awaitingPrepared.add(next.member(i));
            }
        }
        proposalDeadline = now + config.heartbeatIntervalMillis();
        outbox.send(new Prepare(WireViews.toWire(next)));
        if (awaitingPrepared.isEmpty()) {
            commitProposal();
        }
    }

    private void commitProposal() {
        View next = proposal;
        proposal = null;
        outbox.send(new Commit(WireViews.toWire(next)));
        View old = switchTo(next, "committed view");
        boolean othersDecided = false;
        for (int i = 0; i < old.size(); i++) {
            othersDecided |= old.member(i) != self && next.contains(old.member(i));
        }
        if (othersDecided) {
            window.open(old, loop.nowMillis() + config.heartbeatIntervalMillis());
        } else {
            forgetRemoved(old, next);
        }
    }

    /**
     * Decides the datagrams held since COMMIT left: a session's held datagrams up to the one the
     * others logged were decided under the old view, the rest under the new one. {@code report}
     * null (no COMMITTED in time) or overflowed: every held datagram goes by the new view.
     */
    private void resolveWindow(Committed report) {
        View old = window.old();
        window.resolve(report, (buffer, offset, length, out) -> decider.sessionOf(buffer, offset, length, out, old),
                (buffer, offset, length, underOld) ->
                decider.decideHeld(buffer, offset, length, old, standing.view, underOld));
        forgetRemoved(old, standing.view);
    }
}
