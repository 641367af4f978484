package lnlb.core.internal.loop;

/**
 * How late a loop ran its timers: a timer that runs {@link #thresholdMillis()} or more after its
 * due time is a <em>stall</em> (a GC pause, SIGSTOP, a stalled VM, or loop work that took that
 * long). Written by the loop's own thread only; read it on the loop (a status request) or accept a
 * slightly stale value.
 */
public final class StallMeter {
    /**
     * 100 ms: far above the loop's normal lateness (poll wake-up and a batch of frames take well
     * under 10 ms; a young-generation pause of the service's heap takes a few tens of ms), and at
     * the default heartbeat interval (1000 ms) a tenth of one interval: a node is asked to
     * retransmit after 1.5 intervals and declared dead after about interval x tolerance, so
     * stalls of this size are the first sign of the trouble that leads to false deaths.
     */
    public static final long DEFAULT_THRESHOLD_MILLIS = 100;

    private final long thresholdMillis;
    private long stalls;
    private long maxLateMillis;
    private long lastStallMillis;

    public StallMeter(long thresholdMillis) {
        if (thresholdMillis < 1) {
            throw new IllegalArgumentException("stall threshold must be >= 1 ms: " + thresholdMillis);
        }
        this.thresholdMillis = thresholdMillis;
    }

    public StallMeter() {
        this(DEFAULT_THRESHOLD_MILLIS);
    }

    /** A timer due at {@code dueMillis} runs now, at {@code nowMillis} (same clock). */
    void timerRan(long dueMillis, long nowMillis) {
        long late = nowMillis - dueMillis;
        if (late > maxLateMillis) {
            maxLateMillis = late;
        }
        if (late >= thresholdMillis) {
            stalls++;
            lastStallMillis = late;
        }
    }

    /** Timers that ran at least the threshold late. */
    public long stalls() {
        return stalls;
    }

    /** The longest any timer ran late, in ms, counted as a stall or not (0: none ran late). */
    public long maxLateMillis() {
        return maxLateMillis;
    }

    /** How late the timer of the last stall ran, in ms; 0 before the first stall. */
    public long lastStallMillis() {
        return lastStallMillis;
    }

    public long thresholdMillis() {
        return thresholdMillis;
    }
}
