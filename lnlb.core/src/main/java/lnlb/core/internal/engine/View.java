package lnlb.core.internal.engine;

import java.util.Arrays;
import lnlb.core.api.NodeAddress;

/**
 * One agreed membership of the cluster: an epoch, the members sorted by MAC with their weights,
 * and the cut table derived from them. Immutable; every node that committed epoch N holds an equal
 * View.
 */
public final class View {
    public static final View EMPTY = new View(0, new long[0], new int[0]);

    private final long epoch;
    private final long[] members;
    private final int[] weights;
    private final CutTable table;

    public View(long epoch, long[] members, int[] weights) {
        if (members.length != weights.length) {
            throw new IllegalArgumentException("members and weights differ in length");
        }
        long[] sortedMembers = members.clone();
        int[] sortedWeights = new int[weights.length];
        Integer[] order = new Integer[members.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(members[a], members[b]));
        for (int i = 0; i < order.length; i++) {
            sortedMembers[i] = members[order[i]];
            sortedWeights[i] = Math.max(1, weights[order[i]]);
        }
        this.epoch = epoch;
        this.members = sortedMembers;
        this.weights = sortedWeights;
        this.table = new CutTable(sortedMembers, sortedWeights);
    }

    public long epoch() {
        return epoch;
    }

    public int size() {
        return members.length;
    }

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

    public int weightOf(long node) {
        int i = Arrays.binarySearch(members, node);
        return i >= 0 ? weights[i] : 0;
    }

    public CutTable table() {
        return table;
    }

    /** The same nodes, whatever their weights. */
    public boolean sameMembers(View other) {
        return Arrays.equals(members, other.members);
    }

    /** Same members with the same weights (the epoch aside). */
    public boolean sameMembership(View other) {
        return Arrays.equals(members, other.members) && Arrays.equals(weights, other.weights);
    }

    /** The lowest MAC, or NONE. */
    public long lowest() {
        return members.length == 0 ? NodeAddress.NONE : members[0];
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("epoch ").append(epoch).append(" [");
        for (int i = 0; i < members.length; i++) {
            text.append(i == 0 ? "" : ", ").append(NodeAddress.format(members[i])).append('/').append(weights[i]);
        }
        return text.append(']').toString();
    }
}
