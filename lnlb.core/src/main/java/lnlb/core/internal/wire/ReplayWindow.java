package lnlb.core.internal.wire;

/**
 * Which frame counters each sender has had accepted: anti-replay as in IPsec (RFC 4303 §3.4.3), a
 * sliding window of {@value #WINDOW} counters below the highest one accepted, one bit each. A
 * window and not a "highest so far" because frames reorder on the way (lab/jitter.py delays each
 * frame up to 20 ms: about 1,700 frames of a state transfer at line rate), and a fragment
 * overtaken by the next one must still be taken.
 *
 * <p>The table is bounded and preallocated: {@code capacity} senders, the one accepted longest ago
 * making room for a new one. Only frames whose tag verified are {@link #record}ed, so a host
 * without the key cannot fill it. Not thread-safe.
 */
final class ReplayWindow {
    /** Counters tracked below the highest: a power of two. */
    static final int WINDOW = 4096;
    private static final int WORDS = WINDOW / 64;

    private final long[] senders;
    private final boolean[] used;
    private final long[] highest;
    private final long[] lastRecorded;
    private final long[] seen;
    private long records;

    ReplayWindow(int capacity) {
        senders = new long[capacity];
        used = new boolean[capacity];
        highest = new long[capacity];
        lastRecorded = new long[capacity];
        seen = new long[capacity * WORDS];
    }

    /** True when {@code counter} from {@code sender} was not accepted yet and is not below the window. */
    boolean fresh(long sender, long counter) {
        int i = find(sender);
        if (i < 0 || Long.compareUnsigned(counter, highest[i]) > 0) {
            return true;
        }
        return Long.compareUnsigned(highest[i] - counter, WINDOW) < 0 && !isSeen(i, counter);
    }

    /** Marks {@code counter} accepted; the caller checked {@link #fresh} and the tag. */
    void record(long sender, long counter) {
        int i = find(sender);
        if (i < 0) {
            i = claim(sender, counter);
        } else if (Long.compareUnsigned(counter, highest[i]) > 0) {
            slide(i, counter);
        }
        seen[i * WORDS + bit(counter) / 64] |= 1L << bit(counter);
        lastRecorded[i] = ++records;
    }

    /** Senders tracked now. */
    int size() {
        int n = 0;
        for (boolean u : used) {
            n += u ? 1 : 0;
        }
        return n;
    }

    private int find(long sender) {
        for (int i = 0; i < senders.length; i++) {
            if (used[i] && senders[i] == sender) {
                return i;
            }
        }
        return -1;
    }

    /** A free entry, or the one recorded longest ago, emptied for {@code sender}. */
    private int claim(long sender, long counter) {
        int victim = 0;
        for (int i = 0; i < senders.length; i++) {
            if (!used[i]) {
                victim = i;
                break;
            }
            if (lastRecorded[i] < lastRecorded[victim]) {
                victim = i;
            }
        }
        used[victim] = true;
        senders[victim] = sender;
        highest[victim] = counter;
        java.util.Arrays.fill(seen, victim * WORDS, (victim + 1) * WORDS, 0L);
        return victim;
    }

    /** Moves the window up to {@code counter}: the bits of the counters it passes are forgotten. */
    private void slide(int i, long counter) {
        long distance = counter - highest[i];
        if (Long.compareUnsigned(distance, WINDOW) >= 0) {
            java.util.Arrays.fill(seen, i * WORDS, (i + 1) * WORDS, 0L);
        } else {
            for (long c = highest[i] + 1; c != counter + 1; c++) {
                seen[i * WORDS + bit(c) / 64] &= ~(1L << bit(c));
            }
        }
        highest[i] = counter;
    }

    private boolean isSeen(int i, long counter) {
        return (seen[i * WORDS + bit(counter) / 64] & (1L << bit(counter))) != 0;
    }

    private static int bit(long counter) {
        return (int) counter & (WINDOW - 1);
    }
}
