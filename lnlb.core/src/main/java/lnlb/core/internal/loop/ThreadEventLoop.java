package lnlb.core.internal.loop;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loop on its own thread with a real clock. Between tasks it waits in the {@link Io} it is given
 * (the cluster's link, which polls its sockets), so frames, timers and submitted tasks share one
 * thread without a hand-off per frame.
 */
public final class ThreadEventLoop implements EventLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadEventLoop.class);

    /** What the loop waits in between tasks. */
    public interface Io {
        /** Waits up to {@code timeoutMillis} for input and handles it; returns early on {@link #wakeup()}. */
        void poll(long timeoutMillis) throws Exception;

        /** Makes a poll in progress return. Any thread. */
        void wakeup();
    }

    private final LongSupplier clock;
    private final Thread thread;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final TimerQueue timers = new TimerQueue();
    private final StallMeter stalls = new StallMeter();
    private volatile Io io;
    private volatile boolean running = true;

    public ThreadEventLoop(String name, LongSupplier clock) {
        this.clock = clock;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    public ThreadEventLoop(String name) {
        this(name, () -> System.nanoTime() / 1_000_000);
    }

    /** Sets the I/O to wait in and starts the thread. */
    public void start(Io io) {
        this.io = io;
        thread.start();
    }

    /** Stops the thread after the task running now; waits up to {@code waitMillis} for it. */
    public void stop(long waitMillis) {
        running = false;
        wake();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public long nowMillis() {
        return clock.getAsLong();
    }

    @Override
    public void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
        }
        if (Thread.currentThread() != thread) {
            wake();
        }
    }

    @Override
    public Timer schedule(long delayMillis, Runnable task) {
        TimerQueue.Entry entry;
        synchronized (tasks) {
            entry = timers.add(nowMillis() + Math.max(0, delayMillis), task);
        }
        if (Thread.currentThread() != thread) {
            wake();
        }
        return entry;
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** How late this loop ran its timers. Written by the loop thread: read it there. */
    public StallMeter stalls() {
        return stalls;
    }

    private void wake() {
        Io current = io;
        if (current != null) {
            current.wakeup();
        }
    }

    private void run() {
        while (running) {
            runTasks();
            long wait;
            synchronized (tasks) {
                long due = timers.nextDue();
                wait = !tasks.isEmpty() ? 0 : due == Long.MAX_VALUE ? 1000 : Math.max(0, due - nowMillis());
            }
            try {
                io.poll(Math.min(wait, 1000));
            } catch (Exception e) {
                // The link failed once; keep the loop alive so timers (and a later delif) still run.
                LOG.warn("{}: poll failed: {}", thread.getName(), e.toString());
                pause();
            }
        }
    }

    private void runTasks() {
        for (;;) {
            Runnable task;
            synchronized (tasks) {
                task = tasks.poll();
                if (task == null) {
                    long now = nowMillis();
                    TimerQueue.Entry due = timers.pollDue(now);
                    if (due != null && !due.cancelled) {
                        // Measured here, where every timer passes: late timers are what a stall costs.
                        stalls.timerRan(due.due, now);
                    }
                    task = due == null ? null : due.cancelled ? () -> { } : due.task;
                }
            }
            if (task == null) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("{}: task failed", thread.getName(), e);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
