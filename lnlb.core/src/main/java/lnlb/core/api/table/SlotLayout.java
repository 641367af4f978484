package lnlb.core.api.table;

/**
 * The array layout of a {@link SessionTable}, shared by the helpers of this package that walk its
 * slots ({@link TableScans}, {@link Eviction}): one {@code long[]} holds {@link #STRIDE} words per
 * slot ({@code key, owner, lastSeen, state}), slot {@code i} starting at {@code i << SHIFT}, so a
 * probe touches one cache line. The owner word of an occupied slot has {@link #OCCUPIED} set above
 * the 48-bit node address, so a zeroed array is an empty table.
 *
 * <p>Compile-time constants only (and the load rule): the compiler copies them into their users,
 * so the hot path reads them at no cost.
 */
final class SlotLayout {
    static final int STRIDE = 4;
    static final int SHIFT = 2;
    static final int KEY = 0;
    static final int OWNER = 1;
    static final int LAST_SEEN = 2;
    static final int STATE = 3;
    /** Set in the owner word of an occupied slot. */
    static final long OCCUPIED = Long.MIN_VALUE;
    static final long OWNER_MASK = 0xFFFF_FFFF_FFFFL;

    private SlotLayout() {
    }

    /** Largest size a table of {@code capacity} slots holds before it doubles: 3/4 of it. */
    static int loadLimit(int capacity) {
        return (capacity >>> 1) + (capacity >>> 2);
    }

    /** The capacity of a table holding {@code maxEntries}: the smallest whose load limit reaches it. */
    static int maxCapacity(int maxEntries) {
        int capacity = 2;
        while (loadLimit(capacity) < maxEntries) {
            capacity <<= 1;
        }
        return capacity;
    }

    /**
     * The capacity that inserting {@code n} entries one by one into a fresh table reaches (for a
     * table sized at once for a state dump's entries, which then ends in the same layout).
     */
    static int capacityFor(int n) {
        int capacity = SessionTable.INITIAL_CAPACITY;
        while (loadLimit(capacity) < n && capacity < 1 << 30) {
            capacity <<= 1;
        }
        return capacity;
    }
}
