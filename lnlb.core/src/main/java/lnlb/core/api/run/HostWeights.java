package lnlb.core.api.run;

import lnlb.core.internal.weight.ProcWeights;
import lnlb.core.internal.weight.WeightMode;

/**
 * The weight a Linux host reports, as the {@code weight.mode} and {@code weight} settings of a
 * cluster: {@code loadavg}, {@code loadavg5}, {@code loadavg15} (the load average x 100),
 * {@code freemem} (used memory in per mille) or {@code manual} (a fixed weight, 1..1000000).
 * Mode and manual weight may change at any time; the next heartbeat carries them.
 */
public final class HostWeights implements WeightSource {
    private final ProcWeights weights;

    /** @throws IllegalArgumentException for an unknown mode or a manual weight outside 1..1000000 */
    public HostWeights(String mode, int manual) {
        this.weights = new ProcWeights(WeightMode.parse(mode), checkManual(manual));
    }

    /** {@code weight} when it is a valid manual weight (1..1000000); else an IllegalArgumentException. */
    public static int checkManual(int weight) {
        return ProcWeights.checkManual(weight);
    }

    /** The mode's spelling: {@code loadavg}, ..., {@code manual}. */
    public String mode() {
        return weights.mode().spelling();
    }

    public void setMode(String mode) {
        weights.setMode(WeightMode.parse(mode));
    }

    public void setManual(int weight) {
        weights.setManual(checkManual(weight));
    }

    @Override
    public int weight() {
        return weights.weight();
    }
}
