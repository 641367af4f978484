package lnlb.core.internal.engine;

import java.util.Arrays;
import lnlb.core.api.NodeAddress;

/**
 * One agreed membership of the cluster: an epoch, the members sorted by MAC with their weights and
 * drain flags, the port rules, and the cut table derived from them. A draining member keeps the
 * sessions it tracks but gets no slice of the cut table, so no new session goes to it (unless every
 * member drains: then they all keep their slices). Immutable; every node that committed epoch N
 * holds an equal View.
 */
public final class View {
    public static final View EMPTY = new View(0, new long[0], new int[0]);

    private final long epoch;
    private final long[] members;
    private final int[] weights;
    private final boolean[] draining;
    private final PortRules rules;
    private final long[] drainingNodes;
    private final CutTable table;

    public View(long epoch, long[] members, int[] weights) {
        this(epoch, members, weights, new boolean[members.length], PortRules.DEFAULT);
    }

    public View(long epoch, long[] members, int[] weights, boolean[] draining, PortRules rules) {
        if (members.length != weights.length || members.length != draining.length) {
            throw new IllegalArgumentException("members, weights and drain flags differ in length");
        }
        long[] sortedMembers = members.clone();
        int[] sortedWeights = new int[weights.length];
        boolean[] sortedDraining = new boolean[weights.length];
        Integer[] order = new Integer[members.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(members[a], members[b]));
        for (int i = 0; i < order.length; i++) {
            sortedMembers[i] = members[order[i]];
            sortedWeights[i] = Math.max(1, weights[order[i]]);
            sortedDraining[i] = draining[order[i]];
        }
        this.epoch = epoch;
        this.members = sortedMembers;
        this.weights = sortedWeights;
        this.draining = sortedDraining;
        this.rules = rules;
        this.drainingNodes = draining(sortedMembers, sortedDraining);
        this.table = cutTable(sortedMembers, sortedWeights, sortedDraining);
    }

    private static long[] draining(long[] members, boolean[] draining) {
        return java.util.stream.IntStream.range(0, members.length).filter(i -> draining[i]).mapToLong(i -> members[i])
                .toArray();
    }

    /** The draining members, sorted: what a datagram decided under this view carries ({@code Datagram.classify}). Do not change it. */
    public long[] drainingNodes() {
        return drainingNodes;
    }

    /** The same members drain in both views. */
    public boolean sameDrains(View other) {
        return Arrays.equals(drainingNodes, other.drainingNodes);
    }

    /** The members that take new sessions get the slices; all of them if every one drains. */
    private static CutTable cutTable(long[] members, int[] weights, boolean[] draining) {
        int taking = 0;
        for (boolean d : draining) {
            taking += d ? 0 : 1;
        }
        if (taking == members.length || taking == 0) {
            return new CutTable(members, weights);
        }
        long[] nodes = new long[taking];
        int[] w = new int[taking];
        for (int i = 0, j = 0; i < members.length; i++) {
            if (!draining[i]) {
                nodes[j] = members[i];
                w[j++] = weights[i];
            }
        }
        return new CutTable(nodes, w);
    }

    /** The same members and weights under other drain flags and rules, at {@code epoch}. */
    public View with(long nextEpoch, boolean[] drainFlags, PortRules portRules) {
        return new View(nextEpoch, members, weights, drainFlags, portRules);
    }

    public PortRules rules() {
        return rules;
    }

    public boolean draining(int index) {
        return draining[index];
    }

    /** True when {@code node} is a member that takes no new session. */
    public boolean isDraining(long node) {
        int i = Arrays.binarySearch(members, node);
        return i >= 0 && draining[i];
    }

    /** Same drain flags and rules: a change of either is a view change of its own (not a weight-only one). */
    public boolean sameSettings(View other) {
        return Arrays.equals(draining, other.draining) && rules.equals(other.rules);
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

    /** Same members with the same weights, drain flags and rules (the epoch aside). */
    public boolean sameMembership(View other) {
        return Arrays.equals(members, other.members) && Arrays.equals(weights, other.weights) && sameSettings(other);
    }

    /** The lowest MAC, or NONE. */
    public long lowest() {
        return members.length == 0 ? NodeAddress.NONE : members[0];
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("epoch ").append(epoch).append(" [");
        for (int i = 0; i < members.length; i++) {
            text.append(i == 0 ? "" : ", ").append(NodeAddress.format(members[i])).append('/').append(weights[i])
                    .append(draining[i] ? " draining" : "");
        }
        text.append(']');
        if (!rules.equals(PortRules.DEFAULT)) {
            text.append(" rules ").append(rules.text());
        }
        return text.toString();
    }
}
