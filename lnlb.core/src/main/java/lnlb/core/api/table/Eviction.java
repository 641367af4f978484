package lnlb.core.api.table;

import static lnlb.core.api.table.SlotLayout.LAST_SEEN;
import static lnlb.core.api.table.SlotLayout.OWNER;
import static lnlb.core.api.table.SlotLayout.SHIFT;

/**
 * How a full {@link SessionTable} makes room for a new key: the eviction window of its class
 * comment, in one place. Every node that holds the same entries must choose the same victims, so
 * the choice depends only on the (history-independent) slots, the new key and {@code now}.
 * Called by {@link SessionTable#put} only when a new key arrives at the bound; allocates nothing.
 */
final class Eviction {
    private Eviction() {
    }

    /**
     * Walks the first {@code min(EVICTION_WINDOW, size)} occupied slots at or after the new key's
     * home slot, in probe order, removing every expired entry; if none was, evicts the entry with
     * the oldest last-seen time (the first in probe order on a tie) and counts it.
     */
    static void makeRoom(SessionTable table, long key, long now) {
        long[] s = table.slots;
        int m = table.mask;
        long idleMillis = table.idleMillis();
        int window = Math.min(SessionTable.EVICTION_WINDOW, table.size());
        int victim = SessionTable.NOT_FOUND;
        long victimAge = 0;
        boolean reclaimed = false;
        int i = SessionTable.home(key, m);
        for (int examined = 0; examined < window; ) {
            int base = i << SHIFT;
            if (s[base + OWNER] == 0) {
                i = (i + 1) & m;
                continue;
            }
            examined++;
            long age = now - s[base + LAST_SEEN];
            if (age >= idleMillis) {
                table.removeAt(i); // an unexamined entry may shift into slot i: stay on it
                reclaimed = true;
                continue;
            }
            if (victim == SessionTable.NOT_FOUND || age > victimAge) {
                victim = i;
                victimAge = age;
            }
            i = (i + 1) & m;
        }
        // The victim's index is used only when nothing was removed, so no shift moved it.
        if (!reclaimed) {
            table.removeAt(victim);
            table.evictions++;
        }
    }
}
