package lnlb.core.api.run;

import java.util.Arrays;
import lnlb.core.internal.engine.View;

/**
 * One agreed membership of a cluster, as a snapshot: the epoch, the members sorted by MAC with their
 * weights, and the owner the cut table gives a key (as every node decides a datagram no session
 * claims). Immutable.
 */
public final class ClusterView {
    public static final ClusterView EMPTY = new ClusterView(0, new long[0], new int[0]);

    /** The engine's own view type does the work: one copy of the sorting, lookups and cut table. */
    private final View view;

    /** {@code members} in any order, with their weights (a weight below 1 counts as 1). */
    public ClusterView(long epoch, long[] members, int[] weights) {
        this.view = new View(epoch, members, weights);
    }

    /** The engine's view as a snapshot (views are immutable). */
    public static ClusterView of(View view) {
        return new ClusterView(view);
    }

    private ClusterView(View view) {
        this.view = view;
    }

    /** True when {@code node} is a member that drains: it keeps its sessions and takes no new one. */
    public boolean isDraining(long node) {
        return view.isDraining(node);
    }

    /** The port rules of the view, canonical: the default affinity, then each rule ({@code source; tcp:80:connection}). */
    public String rules() {
        return view.rules().text();
    }

    /** CRC-32 of {@link #rules()}, 8 hex digits: what nodes compare. */
    public String rulesDigest() {
        return view.rules().digestText();
    }

    public long epoch() {
        return view.epoch();
    }

    public int size() {
        return view.size();
    }

    /** The {@code index}th member, by ascending MAC. */
    public long member(int index) {
        return view.member(index);
    }

    public int weight(int index) {
        return view.weight(index);
    }

    public long[] members() {
        return view.members();
    }

    public int[] weights() {
        return view.weights();
    }

    public boolean contains(long node) {
        return view.contains(node);
    }

    /** The weight of {@code node}, or 0 when it is not a member. */
    public int weightOf(long node) {
        return view.weightOf(node);
    }

    /** The same nodes with the same weights (the epoch aside). */
    public boolean sameMembership(ClusterView other) {
        return view.sameMembership(other.view);
    }

    /** The member whose slice of the hash space holds {@code key}, or {@link NodeAddress#NONE} for an empty view. */
    public long ownerOfKey(long key) {
        return view.table().ownerOfKey(key);
    }

    /** Share of the hash space {@code node} holds, 0..1. */
    public double share(long node) {
        return view.table().share(node);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterView v && v.view.epoch() == view.epoch() && sameMembership(v);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(view.epoch()) * 31 + Arrays.hashCode(view.members());
    }

    /** {@code epoch 3 [02:00:00:00:00:01/1, ...]}. */
    @Override
    public String toString() {
        return view.toString();
    }
}
