package lnlb.core.internal.loop;

import java.util.PriorityQueue;

/**
 * Due-time ordered tasks; ties run in scheduling order, so a run is reproducible. Not thread-safe:
 * its owner synchronises.
 */
final class TimerQueue {
    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long sequence;

    Entry add(long dueMillis, Runnable task) {
        Entry entry = new Entry(dueMillis, sequence++, task);
        queue.add(entry);
        return entry;
    }

    /** The earliest due time of a live entry, or Long.MAX_VALUE. */
    long nextDue() {
        Entry head;
        while ((head = queue.peek()) != null && head.cancelled) {
            queue.poll();
        }
        return head == null ? Long.MAX_VALUE : head.due;
    }

    /** Removes and returns the earliest entry due at or before {@code now}, or null. */
    Entry pollDue(long now) {
        return nextDue() <= now ? queue.poll() : null;
    }

    boolean isEmpty() {
        return nextDue() == Long.MAX_VALUE;
    }

    static final class Entry implements Comparable<Entry>, EventLoop.Timer {
        final long due;
        final long sequence;
        final Runnable task;
        volatile boolean cancelled;

        Entry(long due, long sequence, Runnable task) {
            this.due = due;
            this.sequence = sequence;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Entry other) {
            int byDue = Long.compare(due, other.due);
            return byDue != 0 ? byDue : Long.compare(sequence, other.sequence);
        }
    }
}
