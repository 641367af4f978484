package lnlb.core.internal.engine;

/**
 * Per session key, the digest of the last datagram a node decided under the old view although the
 * pending view would decide it differently. Sent in COMMITTED, it lets the coordinator, which
 * switches views a frame-transit earlier than everybody else, decide its own racing datagrams
 * exactly as the others did (see {@link ClusterEngine}). Preallocated, bounded, no allocation per
 * entry; single-threaded.
 */
final class AmbiguityLog {
    private final int capacity;
    private final int[] index;
    private final int[] slots;
    private final long[] keys;
    private final long[] digests;
    private int size;
    private boolean overflow;

    AmbiguityLog(int capacity) {
        this.capacity = capacity;
        int tableSize = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        this.index = new int[tableSize];
        this.slots = new int[capacity];
        this.keys = new long[capacity];
        this.digests = new long[capacity];
    }

    void clear() {
        java.util.Arrays.fill(index, 0);
        size = 0;
        overflow = false;
    }

    /** Records (or updates) the last digest of a key; sets the overflow flag when full. */
    void record(int slot, long key, long digest) {
        int mask = index.length - 1;
        int i = (int) Hashing.mix(key ^ ((long) slot << 56)) & mask;
        for (;;) {
            int entry = index[i];
            if (entry == 0) {
                if (size == capacity) {
                    overflow = true;
                    return;
                }
                slots[size] = slot;
                keys[size] = key;
                digests[size] = digest;
                index[i] = ++size;
                return;
            }
            if (keys[entry - 1] == key && slots[entry - 1] == slot) {
                digests[entry - 1] = digest;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /** The digest recorded for a key, or {@code missing}. */
    long digest(int slot, long key, long missing) {
        int mask = index.length - 1;
        int i = (int) Hashing.mix(key ^ ((long) slot << 56)) & mask;
        for (;;) {
            int entry = index[i];
            if (entry == 0) {
                return missing;
            }
            if (keys[entry - 1] == key && slots[entry - 1] == slot) {
                return digests[entry - 1];
            }
            i = (i + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    boolean overflow() {
        return overflow;
    }

    int slot(int i) {
        return slots[i];
    }

    long key(int i) {
        return keys[i];
    }

    long digestAt(int i) {
        return digests[i];
    }
}
