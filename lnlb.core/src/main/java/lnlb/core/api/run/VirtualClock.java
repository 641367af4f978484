package lnlb.core.api.run;

import java.util.function.BooleanSupplier;
import lnlb.core.internal.loop.VirtualTime;

/**
 * Virtual time for deterministic simulations, shared by any number of clusters and an in-memory
 * network: a discrete-event scheduler on the calling thread. Nothing happens until
 * {@link #runFor}/{@link #runUntil} is called, and everything happens in (due time, scheduling
 * order), so a simulation replays identically.
 */
public final class VirtualClock {
    private final VirtualTime time;

    public VirtualClock(long startMillis) {
        this.time = new VirtualTime(startMillis);
    }

    public long nowMillis() {
        return time.nowMillis();
    }

    /** Runs every task due up to {@code now + millis}, then sets the clock there. */
    public void runFor(long millis) {
        time.runFor(millis);
    }

    /** Runs every task due up to {@code deadline}, in order, then sets the clock there. */
    public void runUntil(long deadline) {
        time.runUntil(deadline);
    }

    /** Runs due tasks while {@code condition} is false, up to {@code maxMillis} ahead; true if it became true. */
    public boolean runUntil(BooleanSupplier condition, long maxMillis) {
        return time.runUntil(condition, maxMillis);
    }

    /** Runs {@code task} at {@code now + delayMillis}, outside any cluster's loop. */
    public void at(long delayMillis, Runnable task) {
        time.at(delayMillis, task);
    }

    VirtualTime time() {
        return time;
    }
}
