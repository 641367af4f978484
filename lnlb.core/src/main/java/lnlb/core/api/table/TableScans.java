package lnlb.core.api.table;

import static lnlb.core.api.table.SlotLayout.KEY;
import static lnlb.core.api.table.SlotLayout.LAST_SEEN;
import static lnlb.core.api.table.SlotLayout.OCCUPIED;
import static lnlb.core.api.table.SlotLayout.OWNER;
import static lnlb.core.api.table.SlotLayout.OWNER_MASK;
import static lnlb.core.api.table.SlotLayout.SHIFT;
import static lnlb.core.api.table.SlotLayout.STATE;
import static lnlb.core.api.table.SlotLayout.STRIDE;

import lnlb.core.api.NodeAddress;

/**
 * The walks of a {@link SessionTable} over all its slots, none of them on the per-packet path:
 * the rehash when it doubles, sweeps that remove entries (a dead node's, expired ones), the visit
 * of every entry, and a {@link StateDump}'s copy of the entries into columns and back. Each is one loop over the slot array with no call per
 * entry that does not remove it. Removal goes through {@link SessionTable#removeAt}, which keeps
 * the Robin Hood order; a sweep therefore looks at a slot again after removing its entry, since a
 * later entry may have shifted into it.
 */
final class TableScans {
    private TableScans() {
    }

    /**
     * Doubles the capacity and re-inserts every entry: the table's only allocation, done when
     * {@link SessionTable#put} or {@link #addAll} finds it at its load limit below its maximum.
     */
    static void grow(SessionTable table) {
        long[] old = table.slots;
        table.allocate(table.capacity() << 1);
        table.size = 0;
        for (int base = 0; base < old.length; base += STRIDE) {
            if (old[base + OWNER] != 0) {
                table.insert(old[base + KEY], old[base + OWNER], old[base + LAST_SEEN], old[base + STATE]);
            }
        }
    }

    /** {@link SessionTable#removeOwner}. */
    static int removeOwner(SessionTable table, long node) {
        if (!NodeAddress.isValid(node)) {
            return 0;
        }
        long word = OCCUPIED | node;
        long[] s = table.slots;
        int last = table.mask;
        int removed = 0;
        for (int i = 0; i <= last; ) {
            if (s[(i << SHIFT) + OWNER] == word) {
                table.removeAt(i);
                removed++;
            } else {
                i++;
            }
        }
        return removed;
    }

    /** {@link SessionTable#expire(long, long)}. */
    static int expire(SessionTable table, long now, long idleMillis) {
        long[] s = table.slots;
        int last = table.mask;
        int removed = 0;
        for (int i = 0; i <= last; ) {
            int base = i << SHIFT;
            if (s[base + OWNER] != 0 && now - s[base + LAST_SEEN] >= idleMillis) {
                table.removeAt(i);
                removed++;
            } else {
                i++;
            }
        }
        return removed;
    }

    /** {@link SessionTable#forEach}. */
    static void forEach(SessionTable table, SessionTable.Visitor visitor) {
        long[] s = table.slots;
        for (int base = 0; base < s.length; base += STRIDE) {
            long ownerWord = s[base + OWNER];
            if (ownerWord != 0) {
                visitor.visit(s[base + KEY], ownerWord & OWNER_MASK, s[base + LAST_SEEN], (int) s[base + STATE]);
            }
        }
    }

    /** {@link SessionTable#visit}. */
    static int visit(SessionTable table, int from, int count, SessionTable.Visitor visitor) {
        long[] s = table.slots;
        int capacity = s.length / STRIDE;
        if (from < 0 || count < 1) {
            throw new IllegalArgumentException("from must be >= 0 and slots >= 1: " + from + ", " + count);
        }
        int end = (int) Math.min(capacity, (long) from + count);
        for (int slot = from; slot < end; slot++) {
            int base = slot * STRIDE;
            long ownerWord = s[base + OWNER];
            if (ownerWord != 0) {
                visitor.visit(s[base + KEY], ownerWord & OWNER_MASK, s[base + LAST_SEEN], (int) s[base + STATE]);
            }
        }
        return end >= capacity ? SessionEntries.END : end;
    }

    /**
     * For {@link StateDump}: inserts the first {@code count} entries of the arrays, growing as
     * {@link SessionTable#put} would but never evicting (the caller keeps within
     * {@link SessionTable#maxEntries()}); owners must be valid node addresses. One loop with no
     * call per entry that is not a plain insert, so that it runs fast even before the JIT has
     * compiled it. Returns the index of the first key that was already present (nothing inserted
     * from it on), else {@link SessionTable#NOT_FOUND}.
     */
    static int addAll(SessionTable table, long[] keys, long[] owners, long[] lastSeen, int[] states, int count) {
        for (int i = 0; i < count; i++) {
            if (table.size >= table.loadLimit && table.capacity() < table.maxCapacity) {
                grow(table);
            }
            if (table.insert(keys[i], OCCUPIED | owners[i], lastSeen[i], states[i]) == SessionTable.NOT_FOUND) {
                return i;
            }
        }
        return SessionTable.NOT_FOUND;
    }

    /**
     * For {@link StateDump}: copies every entry into the arrays (each at least
     * {@link SessionTable#size()} long), in slot order.
     */
    static void copyEntries(SessionTable table, long[] keys, long[] owners, long[] lastSeen, int[] states) {
        long[] s = table.slots;
        int n = 0;
        for (int base = 0; base < s.length; base += STRIDE) {
            long ownerWord = s[base + OWNER];
            if (ownerWord != 0) {
                keys[n] = s[base + KEY];
                owners[n] = ownerWord & OWNER_MASK;
                lastSeen[n] = s[base + LAST_SEEN];
                states[n] = (int) s[base + STATE];
                n++;
            }
        }
    }
}
