package lnlb.core.api.run;

import java.util.Arrays;
import lnlb.core.api.NodeAddress;
import lnlb.core.internal.engine.CutTable;
import lnlb.core.internal.engine.View;

/**
 * One agreed membership of a cluster, as a snapshot: the epoch, the members sorted by MAC with their
 * weights, and the owner the cut table gives a key (as every node decides a datagram no session
 * claims). Immutable.
 */
public final class ClusterView {
    public static final ClusterView EMPTY = new ClusterView(0, new long[0], new int[0]);

    private final long epoch;
    private final long[] members;
    private final int[] weights;
    private final CutTable table;

    /** {@code members} in any order, with their weights (a weight below 1 counts as 1). */
    public ClusterView(long epoch, long[] members, int[] weights) {
        View sorted = new View(epoch, members, weights);
        this.epoch = epoch;
        this.members = sorted.members();
        this.weights = sorted.weights();
        this.table = sorted.table();
    }

    public long epoch() {
        return epoch;
    }

    public int size() {
        return members.length;
    }

    /** The {@code index}th member, by ascending MAC. */
    public long member(int index) {
        return members[index];
    }

    public int weight(int index) {
        return weights[index];
    }

    public long[] members() {
        return members.clone();
    }

    public int[] weights() {
        return weights.clone();
    }

    public boolean contains(long node) {
        return Arrays.binarySearch(members, node) >= 0;
    }

    /** The weight of {@code node}, or 0 when it is not a member. */
    public int weightOf(long node) {
        int i = Arrays.binarySearch(members, node);
        return i >= 0 ? weights[i] : 0;
    }

    /** The same nodes with the same weights (the epoch aside). */
    public boolean sameMembership(ClusterView other) {
        return Arrays.equals(members, other.members) && Arrays.equals(weights, other.weights);
    }

    /** The member whose slice of the hash space holds {@code key}, or {@link NodeAddress#NONE} for an empty view. */
    public long ownerOfKey(long key) {
        return table.ownerOfKey(key);
    }

    /** Share of the hash space {@code node} holds, 0..1. */
    public double share(long node) {
        return table.share(node);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterView v && v.epoch == epoch && sameMembership(v);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(epoch) * 31 + Arrays.hashCode(members);
    }

    /** {@code epoch 3 [02:00:00:00:00:01/1, ...]}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("epoch ").append(epoch).append(" [");
        for (int i = 0; i < members.length; i++) {
            text.append(i == 0 ? "" : ", ").append(NodeAddress.format(members[i])).append('/').append(weights[i]);
        }
        return text.append(']').toString();
    }
}
