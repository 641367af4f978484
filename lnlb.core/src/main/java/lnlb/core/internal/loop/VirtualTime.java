package lnlb.core.internal.loop;

/**
 * Virtual time shared by any number of simulated loops: a discrete-event scheduler on the calling
 * thread. Nothing happens until {@link #advance}/{@link #runFor}/{@link #runUntilIdle} is called,
 * and everything happens in (due time, scheduling order), so a simulation replays identically.
 */
public final class VirtualTime {
    private final TimerQueue timers = new TimerQueue();
    private long now;
    private Thread runner;

    public VirtualTime(long startMillis) {
        this.now = startMillis;
    }

    public long nowMillis() {
        return now;
    }

    /** A loop that runs its tasks in this virtual time. */
    public Loop newLoop() {
        return new Loop();
    }

    /** Schedules a task at {@code now + delay} outside any loop (the hub uses it for delivery). */
    public EventLoop.Timer at(long delayMillis, Runnable task) {
        return timers.add(now + Math.max(0, delayMillis), task);
    }

    /** Runs every task due up to {@code now + millis}, then sets the clock there. */
    public void runFor(long millis) {
        runUntil(now + millis);
    }

    /** Runs every task due up to {@code deadline}, in order, then sets the clock there. */
    public void runUntil(long deadline) {
        runner = Thread.currentThread();
        try {
            TimerQueue.Entry entry;
            while ((entry = timers.pollDue(deadline)) != null) {
                now = Math.max(now, entry.due);
                if (!entry.cancelled) {
                    entry.task.run();
                }
            }
            now = Math.max(now, deadline);
        } finally {
            runner = null;
        }
    }

    /** Runs due tasks while {@code condition} is false, up to {@code maxMillis} ahead; true if it became true. */
    public boolean runUntil(java.util.function.BooleanSupplier condition, long maxMillis) {
        long deadline = now + maxMillis;
        runner = Thread.currentThread();
        try {
            while (!condition.getAsBoolean()) {
                long due = timers.nextDue();
                if (due > deadline) {
                    now = deadline;
                    return condition.getAsBoolean();
                }
                TimerQueue.Entry entry = timers.pollDue(due);
                now = Math.max(now, entry.due);
                if (!entry.cancelled) {
                    entry.task.run();
                }
            }
            return true;
        } finally {
            runner = null;
        }
    }

    /** A loop whose clock is the virtual clock; tasks run on the thread driving the time. */
    public final class Loop implements EventLoop {
        Loop() {
        }

        @Override
        public long nowMillis() {
            return now;
        }

        @Override
        public void execute(Runnable task) {
            timers.add(now, task);
        }

        @Override
        public Timer schedule(long delayMillis, Runnable task) {
            return timers.add(now + Math.max(0, delayMillis), task);
        }

        @Override
        public boolean inLoop() {
            return runner == Thread.currentThread() || runner == null;
        }
    }
}
