package lnlb.core.api.table;

import java.util.Arrays;

/**
 * Which entries of an over-full table survive a state load: the rule every node must apply
 * identically, so that all nodes loading the same dump keep the same entries. Those with the
 * latest last-seen time (after the module's {@link StateDump.TimeMapper}) stay, ties going to the
 * smaller key. The choice depends only on the set of entries, not on their order.
 *
 * <p>As a record: an entry stays if seen after {@code threshold}, or at it with a key up to
 * {@code lastKey}. Used by {@link StateDump#table}; this is its only copy.
 */
record Survivors(long threshold, long lastKey) {
    /**
     * Keeps the first {@code keep} entries by the rule, compacting the four arrays in place (their
     * order otherwise kept); returns how many entries remain at their front.
     *
     * @param keep less than the number of entries, at least 1; the keys must be distinct
     */
    static int keepNewest(long[] keys, long[] owners, long[] lastSeen, int[] states, int keep) {
        Survivors survivors = of(keys, lastSeen, keep);
        int kept = 0;
        for (int i = 0; i < keys.length; i++) {
            if (survivors.keeps(keys[i], lastSeen[i])) {
                keys[kept] = keys[i];
                owners[kept] = owners[i];
                lastSeen[kept] = lastSeen[i];
                states[kept] = states[i];
                kept++;
            }
        }
        return kept;
    }

    /** The threshold and last tied key that keep exactly {@code keep} of the entries. */
    static Survivors of(long[] keys, long[] lastSeen, int keep) {
        int n = keys.length;
        long[] sortedSeen = lastSeen.clone();
        Arrays.sort(sortedSeen);
        long threshold = sortedSeen[n - keep];
        int newer = 0;
        int ties = 0;
        for (long seen : lastSeen) {
            if (seen > threshold) {
                newer++;
            } else if (seen == threshold) {
                ties++;
            }
        }
        long[] tiedKeys = new long[ties];
        for (int i = 0, t = 0; i < n; i++) {
            if (lastSeen[i] == threshold) {
                tiedKeys[t++] = keys[i];
            }
        }
        Arrays.sort(tiedKeys);
        return new Survivors(threshold, tiedKeys[keep - newer - 1]);
    }

    boolean keeps(long key, long seen) {
        return seen > threshold || (seen == threshold && key <= lastKey);
    }
}
