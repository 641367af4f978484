package lnlb.core.internal.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import lnlb.core.api.Affinity;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.table.SessionEntries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision path: which node owns a datagram, by its session (the protocol's module) or else by
 * the cut table of the view it is decided under, and delivery when that is this member. Every
 * decision names its view: the current one, or for a datagram that waited for a module, the one it
 * arrived under (the other nodes decided it then). Allocates nothing per datagram.
 *
 * <p>Two more jobs sit on the same path: between PREPARE and COMMIT it logs the datagrams whose
 * owner the proposed view would change (the {@link AmbiguityLog} other nodes report in COMMITTED),
 * and on the coordinator, between its COMMIT and the first COMMITTED, it holds them (the
 * {@link CommitWindow}); datagrams of a protocol whose module left wait in an orphan queue.
 *
 * <p>Every datagram is first classified by the port rules of the view it is decided under
 * ({@link PortRules}): a {@code drop} rule drops it on every node, any other rule's affinity goes
 * to the module on the datagram ({@link Datagram#classify}). A datagram whose affinity a pending or
 * just-committed view changes is treated like one whose owner it changes (logged, held).
 */
final class Decider extends EnginePart {
    private static final Logger LOG = LoggerFactory.getLogger(Decider.class);
    static final int ETHERNET_HEADER = 14;

    /** Called when a datagram of this member's comes after the loop stood still past the death timeout. */
    interface FreezeGuard {
        /** True when the node was frozen: it rejoins and keeps the frame for its replay instead. */
        boolean divertAfterFreeze(ByteBuffer buffer, int offset, int length);
    }

    private final CommitWindow window;
    private final AmbiguityLog ambiguities;
    private final FreezeGuard freezeGuard;
    private final Datagram datagram = new Datagram();
    /** Datagrams of protocols whose module left, waiting for it (two queues: one is replayed while the other fills). */
    private FrameQueue orphanHeld;
    private FrameQueue orphanReplay;
    /** The view each of those datagrams arrived under, in the same order. */
    private ArrayDeque<View> orphanHeldViews = new ArrayDeque<>();
    private ArrayDeque<View> orphanReplayViews = new ArrayDeque<>();
    private boolean loggedModuleError;

    Decider(Shared shared, CommitWindow window, AmbiguityLog ambiguities, FreezeGuard freezeGuard) {
        super(shared);
        this.window = window;
        this.ambiguities = ambiguities;
        this.freezeGuard = freezeGuard;
        this.orphanHeld = new FrameQueue(config.holdFrames() * 2048, config.holdFrames());
        this.orphanReplay = new FrameQueue(config.holdFrames() * 2048, config.holdFrames());
    }

    /** The hot path: owner by session, else by hash under {@code deciding}; accept if it is this node. */
    void onDatagram(ByteBuffer buffer, int offset, int length, View deciding) {
        Datagram d = datagram.wrap(buffer, offset + ETHERNET_HEADER, length - ETHERNET_HEADER);
        if (!d.valid()) {
            counters.malformedDatagrams++;
            return;
        }
        counters.datagrams++;
        int slot = d.protocol();
        ProtocolModule module = modules.get(slot);
        if (module == null) {
            if (modules.orphaned(slot)) {
                holdOrphan(buffer, offset, length);
                return;
            }
            slot = ProtocolModule.DEFAULT_HANDLER;
            module = modules.get(slot);
            if (module == null) {
                if (modules.orphaned(slot)) {
                    holdOrphan(buffer, offset, length);
                } else {
                    counters.noModule++;
                }
                return;
            }
        }
        int affinity = deciding.rules().affinity(d);
        long owner;
        try {
            owner = window.isOpen() ? ownerInWindow(module, slot, d, affinity, deciding, buffer, offset, length)
                    : owner(module, slot, d, affinity, deciding);
        } catch (RuntimeException e) {
            moduleFailed(module, e);
            return;
        }
        if (owner == NodeAddress.NONE) {
            return; // held, or dropped by a rule
        }
        accept(slot, owner, buffer, offset, length);
    }

    /**
     * True when the module's session answer for {@code d} differs between the drains of
     * {@code other} and {@code mine} (a client's new connection that its node's drain sends
     * elsewhere). Asks {@link SessionEntries#lookup}, which changes nothing; only while two views
     * with other drains are in play. Leaves {@code d} classified by {@code mine}.
     */
    private boolean drainChangesOwner(ProtocolModule module, Datagram d, int affinity, View other, View mine) {
        if (other.sameDrains(mine) || !(module instanceof SessionEntries entries)) {
            return false;
        }
        d.classify(affinity, other.drainingNodes());
        long theirs = entries.lookup(cluster, d);
        d.classify(affinity, mine.drainingNodes());
        return theirs != entries.lookup(cluster, d);
    }

    /** The affinity a datagram's key is computed under: a dropped one is keyed by its source. */
    private static int keyAffinity(int affinity) {
        return affinity == Affinity.DROP ? Affinity.SOURCE : affinity;
    }

    /** A decision made: counted, and the datagram delivered when it is this member's. */
    private void accept(int slot, long owner, ByteBuffer buffer, int offset, int length) {
        counters.decisionsPerProtocol[slot]++;
        if (owner != self || standing.state != ClusterEngine.State.MEMBER) {
            counters.notMine++;
            return;
        }
        if (freezeGuard.divertAfterFreeze(buffer, offset, length)) {
            return;
        }
        counters.accepted++;
        deliver(buffer, offset, length);
    }

    /** Outside the coordinator's window: {@code deciding} decides; during PREPARE, racing datagrams are logged. */
    private long owner(ProtocolModule module, int slot, Datagram d, int affinity, View deciding) {
        View next = standing.pending;
        boolean affinityChanges = next != null && next.rules().affinity(d) != affinity;
        d.classify(keyAffinity(affinity), deciding.drainingNodes());
        affinityChanges |= next != null && affinity != Affinity.DROP && drainChangesOwner(module, d, affinity, next, deciding);
        if (affinity == Affinity.DROP) {
            counters.ruleDrops++;
            if (affinityChanges) {
                ambiguities.record(slot, module.assignmentKey(cluster, d), Digest.of(d.buffer(), d.offset(), d.length()));
            }
            return NodeAddress.NONE;
        }
        long owner = module.related(cluster, d);
        if (owner == NodeAddress.NONE) {
            long key = module.assignmentKey(cluster, d);
            owner = deciding.table().ownerOfKey(key);
            if (next != null && (affinityChanges || next.table().ownerOfKey(key) != owner)) {
                ambiguities.record(slot, key, Digest.of(d.buffer(), d.offset(), d.length()));
            }
            module.assigned(cluster, d, owner);
        } else if (next != null && (affinityChanges || !next.contains(owner))) {
            ambiguities.record(slot, module.assignmentKey(cluster, d), Digest.of(d.buffer(), d.offset(), d.length()));
        }
        return owner;
    }

    /**
     * For {@code lnlb:owner}: who owns {@code d} now under {@code deciding}, by the rule of
     * {@link #owner}, changing nothing: the module's {@link SessionEntries#lookup} stands for
     * {@code related} (which applies the datagram to its session) and nothing is assigned.
     * {@code out} receives the slot whose module decides, 1 if a session claims it (else 0), the
     * assignment key and its bucket; 2 in {@code out[1]} when the module cannot be asked (no
     * {@link SessionEntries}), and the owner is then the hash's. NONE when no module serves.
     */
    long ownerNow(Datagram d, View deciding, long[] out) {
        int slot = slotOf(d);
        ProtocolModule module = modules.get(slot);
        if (module == null) {
            return NodeAddress.NONE;
        }
        int affinity = deciding.rules().affinity(d);
        if (affinity == Affinity.DROP) {
            out[0] = slot;
            out[1] = 3; // a port rule drops it
            return NodeAddress.NONE;
        }
        d.classify(affinity, deciding.drainingNodes());
        long tracked = module instanceof SessionEntries entries ? entries.lookup(cluster, d) : NodeAddress.NONE;
        long key = module.assignmentKey(cluster, d);
        out[0] = slot;
        out[1] = tracked != NodeAddress.NONE ? 1 : module instanceof SessionEntries ? 0 : 2;
        out[2] = key;
        out[3] = Hashing.bucket(key);
        return tracked != NodeAddress.NONE ? tracked : deciding.table().ownerOfKey(key);
    }

    /** Coordinator between COMMIT and the first COMMITTED: hold what the old and the new view decide differently. */
    private long ownerInWindow(ProtocolModule module, int slot, Datagram d, int affinity, View deciding,
            ByteBuffer buffer, int offset, int length) {
        int oldAffinity = window.old().rules().affinity(d);
        if (oldAffinity != affinity) {
            // The rules changed for it: which view the others decided it by, COMMITTED tells.
            d.classify(keyAffinity(oldAffinity), window.old().drainingNodes());
            hold(buffer, offset, length, slot, module.assignmentKey(cluster, d));
            return NodeAddress.NONE;
        }
        d.classify(keyAffinity(affinity), deciding.drainingNodes());
        if (affinity == Affinity.DROP) {
            counters.ruleDrops++;
            return NodeAddress.NONE;
        }
        if (drainChangesOwner(module, d, affinity, window.old(), deciding)) {
            // A drain sends this client's new connection elsewhere now: COMMITTED tells which view decided it.
            hold(buffer, offset, length, slot, module.assignmentKey(cluster, d));
            return NodeAddress.NONE;
        }
        long tracked = module.related(cluster, d);
        long key = module.assignmentKey(cluster, d);
        long oldOwner = tracked != NodeAddress.NONE ? tracked : window.old().table().ownerOfKey(key);
        long newOwner = tracked != NodeAddress.NONE && deciding.contains(tracked) ? tracked : deciding.table().ownerOfKey(key);
        if (oldOwner != newOwner || window.holds(slot, key)) {
            hold(buffer, offset, length, slot, key);
            return NodeAddress.NONE;
        }
        if (tracked == NodeAddress.NONE) {
            module.assigned(cluster, d, newOwner);
        }
        return newOwner;
    }

    private void hold(ByteBuffer buffer, int offset, int length, int slot, long key) {
        if (window.hold(buffer, offset, length, link.headroom(), slot, key)) {
            counters.held++;
        } else {
            counters.heldDropped++;
        }
    }

    /** A datagram the window held, decided under the old view ({@code underOld}) or {@code current}. */
    void decideHeld(ByteBuffer buffer, int offset, int length, View old, View current, boolean underOld) {
        Datagram d = datagram.wrap(buffer, offset + ETHERNET_HEADER, length - ETHERNET_HEADER);
        int slot = slotOf(d);
        ProtocolModule module = modules.get(slot);
        if (module == null) {
            counters.noModule++;
            return;
        }
        int affinity = (underOld ? old : current).rules().affinity(d);
        if (affinity == Affinity.DROP) {
            counters.ruleDrops++;
            return;
        }
        d.classify(affinity, (underOld ? old : current).drainingNodes());
        long owner;
        try {
            long key = module.assignmentKey(cluster, d);
            long tracked = module.related(cluster, d);
            if (underOld) {
                owner = tracked != NodeAddress.NONE ? tracked : old.table().ownerOfKey(key);
            } else {
                owner = tracked != NodeAddress.NONE && current.contains(tracked) ? tracked : current.table().ownerOfKey(key);
            }
            if (owner != tracked) {
                module.assigned(cluster, d, owner);
            }
        } catch (RuntimeException e) {
            moduleFailed(module, e);
            return;
        }
        accept(slot, owner, buffer, offset, length);
    }

    /** A held datagram's slot, session key under {@code old}'s rules, and digest (see {@link CommitWindow.Sessions}). */
    boolean sessionOf(ByteBuffer buffer, int offset, int length, long[] out, View old) {
        Datagram d = datagram.wrap(buffer, offset + ETHERNET_HEADER, length - ETHERNET_HEADER);
        int slot = slotOf(d);
        ProtocolModule module = modules.get(slot);
        if (module == null || !d.valid()) {
            return false;
        }
        d.classify(keyAffinity(old.rules().affinity(d)), old.drainingNodes());
        try {
            out[0] = slot;
            out[1] = module.assignmentKey(cluster, d);
            out[2] = Digest.of(d.buffer(), d.offset(), d.length());
            return true;
        } catch (RuntimeException e) {
            moduleFailed(module, e);
            return false;
        }
    }

    private int slotOf(Datagram d) {
        int slot = d.valid() ? d.protocol() : 0;
        return modules.get(slot) != null ? slot : ProtocolModule.DEFAULT_HANDLER;
    }

    private void holdOrphan(ByteBuffer buffer, int offset, int length) {
        if (orphanHeld.offer(buffer, offset, length, link.headroom())) {
            orphanHeldViews.add(standing.view);
            counters.swapHeld++;
        } else {
            counters.swapDropped++;
        }
    }

    /**
     * Decides, in arrival order, what waited for a module (datagrams still orphaned wait again),
     * each by the view it arrived under: the nodes that had a module then decided it by that view,
     * and the view may have changed during the wait.
     */
    void replayOrphans() {
        FrameQueue replay = orphanHeld;
        orphanHeld = orphanReplay;
        orphanReplay = replay;
        ArrayDeque<View> views = orphanHeldViews;
        orphanHeldViews = orphanReplayViews;
        orphanReplayViews = views;
        replay.forEach((buffer, offset, length) -> onDatagram(buffer, offset, length, views.poll()));
        replay.clear();
        views.clear();
    }

    /** Hands a frame to this node's kernel (through the virtual interface). */
    void deliver(ByteBuffer buffer, int offset, int length) {
        try {
            link.deliver(buffer, offset, length);
        } catch (IOException e) {
            counters.deliverErrors++;
        }
    }

    void moduleFailed(ProtocolModule module, RuntimeException e) {
        counters.moduleErrors++;
        if (!loggedModuleError) {
            loggedModuleError = true;
            LOG.error("{}: module {} threw; its datagram is dropped (logged once)", cluster.name(), module, e);
        }
    }
}
