package lnlb.core.api.run;

import java.nio.file.Path;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import lnlb.core.internal.weight.ProcWeights;
import lnlb.core.internal.weight.WeightMode;

/**
 * The weight a Linux host reports, as the {@code weight.mode} and {@code weight} settings of a
 * cluster: {@code equal} (the default: 100 on every node, equal shares), {@code loadavg},
 * {@code loadavg5}, {@code loadavg15} (the load average per CPU, {@code 100 x (1 + load/cpus)},
 * smoothed, re-announced when it moves by more than 5 %), {@code freemem} (used memory,
 * {@code 100 x (1 + used/total)}, likewise) or {@code manual} (a fixed weight, 1..1000000). Mode
 * and manual weight may change at any time; the next heartbeat carries them. Read on the cluster's
 * loop, once per heartbeat.
 */
public final class HostWeights implements WeightSource {
    private final ProcWeights weights;

    /** @throws IllegalArgumentException for an unknown mode or a manual weight outside 1..1000000 */
    public HostWeights(String mode, int manual) {
        this.weights = new ProcWeights(WeightMode.parse(mode), checkManual(manual));
    }

    /**
     * A node whose load the caller gives (simulations, tests): {@code load} is the load per CPU in
     * the load modes and the used fraction of memory (0..1) in {@code freemem}; {@code millis} the
     * clock the smoothing runs on (a virtual clock's time).
     *
     * @since 1.1
     */
    public HostWeights(String mode, int manual, DoubleSupplier load, LongSupplier millis) {
        this.weights = ProcWeights.of(load, millis, WeightMode.parse(mode), checkManual(manual));
    }

    /** {@code weight} when it is a valid manual weight (1..1000000); else an IllegalArgumentException. */
    public static int checkManual(int weight) {
        return ProcWeights.checkManual(weight);
    }

    /** The mode's spelling: {@code equal}, {@code loadavg}, ..., {@code manual}. */
    public String mode() {
        return weights.mode().spelling();
    }

    public void setMode(String mode) {
        weights.setMode(WeightMode.parse(mode));
    }

    public void setManual(int weight) {
        weights.setManual(checkManual(weight));
    }

    /**
     * A file read instead of /proc/loadavg (load modes) or /proc/meminfo ({@code freemem}), in the
     * same format; null for /proc.
     *
     * @since 1.1
     */
    public void setSource(Path source) {
        weights.setSource(source);
    }

    /** The weight last announced, without sampling (any thread). @since 1.1 */
    public int current() {
        return weights.current();
    }

    @Override
    public int weight() {
        return weights.weight();
    }
}
