package lnlb.core.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lnlb.core.api.NodeAddress;

/**
 * What this node knows of the others, from the messages it heard: who is alive, with which weight
 * and state, and from that the coordinator and the view the cluster should have. Owned by the
 * cluster's loop.
 */
final class Membership {
    private final long self;
    private final long deadAfterMillis;
    private final Map<Long, Peer> peers = new TreeMap<>();

    Membership(long self, long deadAfterMillis) {
        this.self = self;
        this.deadAfterMillis = deadAfterMillis;
    }

    /** Any message from {@code node}: it is alive now (and, if it had left, back). */
    Peer heardFrom(long node, long now) {
        Peer peer = peers.computeIfAbsent(node, n -> new Peer(n, now));
        peer.lastHeard = now;
        peer.askedRetransmit = false;
        peer.left = false;
        return peer;
    }

    Peer peer(long node) {
        return peers.get(node);
    }

    Iterable<Peer> peers() {
        return peers.values();
    }

    boolean isAlive(long node, long now) {
        Peer peer = peers.get(node);
        return peer != null && !peer.left && now - peer.lastHeard <= deadAfterMillis;
    }

    /**
     * The lowest member of {@code view} that is this node or alive and still a member by its own
     * account: the one that changes views. A member that restarted and JOINs again cannot be it
     * (it holds no state and would never propose the view that removes it).
     */
    long coordinator(View view, long now) {
        for (int i = 0; i < view.size(); i++) {
            long node = view.member(i);
            if (node == self || isAlive(node, now) && !isRejoining(node)) {
                return node;
            }
        }
        return NodeAddress.NONE;
    }

    /**
     * The majority rule (quorum): this node hears more than half of {@code view}'s members
     * (itself, the live ones and those that said LEAVE, which gave up their share and serve
     * nothing), or exactly half with the view's lowest MAC among them. Of two sides of a partition
     * at most one has it; a node without it cannot tell a partition from the others' death.
     */
    boolean hearsMajorityOf(View view, long now) {
        int present = 0;
        boolean lowest = false;
        for (int i = 0; i < view.size(); i++) {
            long node = view.member(i);
            Peer peer = peers.get(node);
            if (node == self || isAlive(node, now) || peer != null && peer.left) {
                present++;
                lowest |= i == 0;
            }
        }
        return 2 * present > view.size() || 2 * present == view.size() && lowest;
    }

    /** True when no live node with a lower MAC than this one was heard: the one to found, if anyone. */
    boolean noLowerNodeHeard(long now) {
        for (Peer peer : peers.values()) {
            if (peer.node >= self) {
                return true; // sorted by MAC
            }
            if (isAlive(peer.node, now)) {
                return false;
            }
        }
        return true;
    }

    /** True when a member of {@code view} other than this node is alive, in whatever state. */
    boolean hearsOtherMemberOf(View view, long now) {
        for (int i = 0; i < view.size(); i++) {
            long node = view.member(i);
            if (node != self && isAlive(node, now)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code node} says it is joining again: it lost its state (a restart, a rejoin). */
    boolean isRejoining(long node) {
        Peer peer = peers.get(node);
        return peer != null && (peer.state == Peer.JOINING || peer.state == Peer.SYNCING);
    }

    /** True when a member was heard recently: somebody could welcome a joining node. */
    boolean anyLiveMember(long now) {
        for (Peer peer : peers.values()) {
            if (peer.state == Peer.MEMBER && now - peer.lastHeard <= deadAfterMillis) {
                return true;
            }
        }
        return false;
    }

    /**
     * The lowest member heard recently: the coordinator as a joining node sees it (it has no view
     * yet), the only node whose WELCOME it takes. NONE when no member is heard.
     */
    long lowestLiveMember(long now) {
        for (Peer peer : peers.values()) {
            if (peer.state == Peer.MEMBER && !peer.left && now - peer.lastHeard <= deadAfterMillis) {
                return peer.node; // sorted by MAC
            }
        }
        return NodeAddress.NONE;
    }

    /**
     * The view the cluster should have now: this node, the live members and the synchronised
     * observers, with their latest weights, at {@code epoch}.
     */
    View desired(View current, int selfWeight, long epoch, long now) {
        return desired(current, selfWeight, false, PortRules.DEFAULT, epoch, now);
    }

    /**
     * The view the cluster should have now, with each member's drain flag and {@code rules} (the
     * coordinator's): an observer whose rules differ is left out (it joined before a change).
     */
    View desired(View current, int selfWeight, boolean selfDraining, PortRules rules, long epoch, long now) {
        List<Long> nodes = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        List<Boolean> draining = new ArrayList<>();
        nodes.add(self);
        weights.add(selfWeight);
        draining.add(selfDraining);
        for (Peer peer : peers.values()) {
            if (!isAlive(peer.node, now)) {
                continue;
            }
            // A member that JOINs again restarted and lost its state: it leaves the view first.
            boolean member = current.contains(peer.node) && (peer.state == Peer.MEMBER || peer.state == Peer.UNKNOWN);
            boolean sameRules = peer.rules == 0 || peer.rules == rules.digest();
            if (member || peer.state == Peer.OBSERVER && sameRules) {
                nodes.add(peer.node);
                weights.add(peer.weight);
                draining.add(peer.draining);
            }
        }
        boolean[] flags = new boolean[draining.size()];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = draining.get(i);
        }
        return new View(epoch, nodes.stream().mapToLong(Long::longValue).toArray(),
                weights.stream().mapToInt(Integer::intValue).toArray(), flags, rules);
    }

    /** Members silent for more than {@code silenceMillis} that were not asked yet; marks them asked. */
    List<Long> toAskForRetransmit(View view, long silenceMillis, long now) {
        List<Long> silent = new ArrayList<>(0);
        for (Peer peer : peers.values()) {
            if (view.contains(peer.node) && !peer.left && !peer.askedRetransmit && now - peer.lastHeard > silenceMillis) {
                peer.askedRetransmit = true;
                silent.add(peer.node);
            }
        }
        return silent;
    }

    /** Node to milliseconds since it was last heard, for status dumps. */
    Map<Long, Long> ages(long now) {
        Map<Long, Long> ages = new TreeMap<>();
        peers.forEach((node, peer) -> ages.put(node, now - peer.lastHeard));
        return ages;
    }
}
