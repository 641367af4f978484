package lnlb.core.internal.engine;

import java.math.BigInteger;
import lnlb.core.api.NodeAddress;

/**
 * The original driver's cut table: the members, sorted by MAC, each get one contiguous slice of the
 * 32-bit hash space, sized in proportion to the inverse of their weight (weight = load, so a loaded
 * node gets fewer new sessions). Built with integer arithmetic only, so every node computes the
 * same cuts. Immutable.
 */
public final class CutTable {
    /** Fixed-point scale of 1/weight. */
    private static final long INVERSE_SCALE = 1L << 40;
    private static final long SPACE = 1L << 32;

    private final long[] nodes;
    /** cuts[i] = first bucket NOT owned by nodes[i]; cuts[last] = 2^32. */
    private final long[] cuts;

    /** {@code nodes} sorted ascending, {@code weights[i] >= 1}. An empty table owns nothing. */
    public CutTable(long[] nodes, int[] weights) {
        this.nodes = nodes.clone();
        this.cuts = new long[nodes.length];
        long[] inverse = new long[nodes.length];
        long total = 0;
        for (int i = 0; i < nodes.length; i++) {
            if (weights[i] < 1) {
                throw new IllegalArgumentException("weight must be >= 1: " + weights[i]);
            }
            if (i > 0 && nodes[i] <= nodes[i - 1]) {
                throw new IllegalArgumentException("nodes must be sorted and distinct");
            }
            inverse[i] = INVERSE_SCALE / weights[i];
            total += inverse[i];
        }
        long cumulative = 0;
        for (int i = 0; i < nodes.length; i++) {
            cumulative += inverse[i];
            cuts[i] = i == nodes.length - 1 ? SPACE
                    : BigInteger.valueOf(cumulative).shiftLeft(32).divide(BigInteger.valueOf(total)).longValue();
        }
    }

    /** The node whose slice holds {@code bucket} (0 .. 2^32-1), or NONE when the table is empty. */
    public long owner(long bucket) {
        long[] c = cuts;
        int low = 0;
        int high = c.length - 1;
        if (high < 0) {
            return NodeAddress.NONE;
        }
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (bucket < c[mid]) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return nodes[low];
    }

    /** The owner of a key: {@code owner(Hashing.bucket(key))}. */
    public long ownerOfKey(long key) {
        return owner(Hashing.bucket(key));
    }

    /** Share of the hash space held by {@code node}, 0..1 (for status and tests). */
    public double share(long node) {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] == node) {
                long start = i == 0 ? 0 : cuts[i - 1];
                return (cuts[i] - start) / (double) SPACE;
            }
        }
        return 0;
    }

    public int size() {
        return nodes.length;
    }
}
