package lnlb.core.internal.weight;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import lnlb.core.internal.engine.WeightSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's weight, read once per heartbeat on the cluster's loop: {@link WeightMode#EQUAL} (the
 * default, {@link #IDLE} on every node), a manual value, or a measured load (load average per CPU,
 * used memory) turned into {@code IDLE x (1 + load)}, smoothed, and re-announced only when it moved
 * by more than {@link Tuning#hysteresis} (issue 16):
 * <ul>
 * <li>per CPU: a 16-CPU node at load 2 is not as busy as a 2-CPU node at load 2;</li>
 * <li>the floor: the {@code 1 +} is one CPU's worth of idle, so an idle node gets at most
 *     {@code 1 + x} times the share of a node at load x per CPU (with the old {@code 1 + 100 x} a node
 *     at 0.00 got 31 times the share of one at 0.30). It also keeps the feedback loop's gain
 *     (share -> load -> weight -> share) below {@code c / (1 + c)} at load c per CPU, under 1,
 *     so shares settle instead of swinging;</li>
 * <li>smoothing: an exponential average with time constant {@link Tuning#smoothingMillis} over the
 *     samples (the kernel's 1-minute average moves in 5 s steps);</li>
 * <li>hysteresis: a node's share of new sessions is proportional to 1/weight, so a weight that
 *     moves by less than h moves the share it implies by less than h of itself: not worth a view
 *     change.</li>
 * </ul>
 * Mode and manual weight can change at run time from any thread (the shell's {@code weightmode} and
 * {@code weight}); a read failure keeps the last weight. {@link #current} is what was last
 * announced, for status, without sampling.
 */
public final class ProcWeights implements WeightSource {
    private static final Logger LOG = LoggerFactory.getLogger(ProcWeights.class);

    /** The weight of an idle node, of every node in {@link WeightMode#EQUAL}: the scale of the load modes. */
    public static final int IDLE = 100;
    private static final int MAX = 1_000_000;

    /**
     * How the measured modes smooth and when they re-announce.
     *
     * @param smoothingMillis time constant of the exponential average
     * @param hysteresis relative change of the weight below which the announced weight stays
     */
    public record Tuning(long smoothingMillis, double hysteresis) {
        /** 20 s and 5 %: the measurement behind them is in the README ("Weights"). */
        public static final Tuning DEFAULT = new Tuning(20_000, 0.05);
    }

    /** A measured load: per CPU for the load averages, the used fraction of memory for freemem. */
    @FunctionalInterface
    public interface Sampler {
        double sample(WeightMode mode) throws IOException;
    }

    private volatile Sampler sampler;
    private final LongSupplier millis;
    private final Tuning tuning;
    private volatile WeightMode mode;
    private volatile int manual;
    private volatile int announced = IDLE;

    // Loop-only (weight() is synchronized for the rare caller elsewhere).
    private WeightMode sampledMode;
    private double smoothed;
    private long sampledAt;

    public ProcWeights(Sampler sampler, LongSupplier millis, Tuning tuning, WeightMode mode, int manual) {
        this.sampler = sampler;
        this.millis = millis;
        this.tuning = tuning;
        this.mode = mode;
        this.manual = checkManual(manual);
    }

    /** Reads {@code proc}/loadavg and {@code proc}/meminfo, with {@code cpus} CPUs. */
    public ProcWeights(Path proc, int cpus, LongSupplier millis, WeightMode mode, int manual) {
        this(procSampler(proc.resolve("loadavg"), proc.resolve("meminfo"), cpus), millis, Tuning.DEFAULT, mode, manual);
    }

    /** This host: /proc, its CPUs, its monotonic clock. */
    public ProcWeights(WeightMode mode, int manual) {
        this(Path.of("/proc"), Runtime.getRuntime().availableProcessors(), () -> System.nanoTime() / 1_000_000, mode,
                manual);
    }

    /** A load given by the caller (per CPU, or the used fraction in freemem): simulations. */
    public static ProcWeights of(DoubleSupplier load, LongSupplier millis, WeightMode mode, int manual) {
        return new ProcWeights(m -> load.getAsDouble(), millis, Tuning.DEFAULT, mode, manual);
    }

    /**
     * The sampler of a Linux host: {@code loadavg} (the column of the mode, divided by {@code cpus})
     * and {@code meminfo} (MemAvailable of MemTotal).
     */
    public static Sampler procSampler(Path loadavg, Path meminfo, int cpus) {
        int n = Math.max(1, cpus);
        return m -> {
            if (m == WeightMode.FREEMEM) {
                return usedPerMille(Files.readAllLines(meminfo)) / 1000.0;
            }
            String[] fields = Files.readString(loadavg).trim().split("\\s+");
            int column = m == WeightMode.LOADAVG ? 0 : m == WeightMode.LOADAVG5 ? 1 : 2;
            return Double.parseDouble(fields[column]) / n;
        };
    }

    /**
     * The {@code weight.source} setting: a file read instead of /proc/loadavg (load modes) or
     * /proc/meminfo (freemem), in the same format; null for /proc. A lab node in a network
     * namespace shares the host's load average: this gives it a load of its own.
     */
    public void setSource(Path source) {
        this.sampler = source == null ? procSampler(Path.of("/proc/loadavg"), Path.of("/proc/meminfo"),
                Runtime.getRuntime().availableProcessors())
                : procSampler(source, source, Runtime.getRuntime().availableProcessors());
    }

    public static int checkManual(int weight) {
        if (weight < 1 || weight > MAX) {
            throw new IllegalArgumentException("weight must be 1..1000000: " + weight);
        }
        return weight;
    }

    public WeightMode mode() {
        return mode;
    }

    public void setMode(WeightMode mode) {
        this.mode = mode;
    }

    /** Sets the manual weight; only meaningful in {@link WeightMode#MANUAL}, as in the original. */
    public void setManual(int weight) {
        this.manual = checkManual(weight);
    }

    /** The weight last announced (no sampling): for status, from any thread. */
    public int current() {
        return announced;
    }

    @Override
    public synchronized int weight() {
        WeightMode m = mode;
        if (m == WeightMode.MANUAL) {
            sampledMode = m;
            return announced = manual;
        }
        if (m == WeightMode.EQUAL) {
            sampledMode = m;
            return announced = IDLE;
        }
        try {
            double load = Math.max(0, sampler.sample(m));
            if (Double.isNaN(load) || Double.isInfinite(load)) {
                throw new IllegalStateException("load " + load);
            }
            long now = millis.getAsLong();
            boolean fresh = sampledMode != m;
            if (fresh) {
                smoothed = load;
            } else {
                double alpha = 1 - Math.exp(-Math.max(0, now - sampledAt) / (double) tuning.smoothingMillis());
                smoothed += alpha * (load - smoothed);
            }
            sampledMode = m;
            sampledAt = now;
            int target = (int) Math.min(MAX, Math.round(IDLE * (1 + smoothed)));
            if (fresh || Math.abs(target - announced) > tuning.hysteresis() * announced) {
                announced = target;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read the weight in mode {}: {}", m, e.toString());
        }
        return announced;
    }

    static int usedPerMille(List<String> meminfo) {
        long total = 0;
        long available = -1;
        for (String line : meminfo) {
            if (line.startsWith("MemTotal:")) {
                total = kilobytes(line);
            } else if (line.startsWith("MemAvailable:")) {
                available = kilobytes(line);
            }
        }
        if (total <= 0 || available < 0) {
            throw new IllegalStateException("no MemTotal/MemAvailable in meminfo");
        }
        return (int) (1000 * (total - available) / total);
    }

    private static long kilobytes(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
