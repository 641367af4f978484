package lnlb.core.internal.loop;

/**
 * The single thread of control of one cluster: frames, timers, module calls and requests from other
 * threads all run here, one at a time. Two implementations: {@link ThreadEventLoop} (a real thread
 * and the system clock) and {@link VirtualTime.Loop} (virtual time, for deterministic simulations).
 */
public interface EventLoop {
    /** The loop's clock, in milliseconds. */
    long nowMillis();

    /** Runs {@code task} on the loop, after what is already queued. Any thread. */
    void execute(Runnable task);

    /** Runs {@code task} on the loop after {@code delayMillis}. Any thread. */
    Timer schedule(long delayMillis, Runnable task);

    /** True when called from the loop itself. */
    boolean inLoop();

    /** A scheduled task that can be cancelled before it runs. */
    interface Timer {
        void cancel();
    }
}
