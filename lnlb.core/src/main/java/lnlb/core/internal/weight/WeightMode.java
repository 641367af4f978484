package lnlb.core.internal.weight;

import java.util.Locale;

/** How a node computes its weight (its load: higher means busier, so fewer new sessions). */
public enum WeightMode {
    /** Every node the same weight ({@link ProcWeights#IDLE}): equal shares. The default. */
    EQUAL,
    /** 1-minute load average per CPU, smoothed: {@code 100 x (1 + load/cpus)}. */
    LOADAVG,
    /** 5-minute load average per CPU, as {@link #LOADAVG}. */
    LOADAVG5,
    /** 15-minute load average per CPU, as {@link #LOADAVG}. */
    LOADAVG15,
    /** Used memory (the original's "freemem" mode weighs by what is not free): {@code 100 x (1 + used/total)}. */
    FREEMEM,
    /** A fixed weight set by the administrator. */
    MANUAL;

    /** Parses the shell/config spelling ({@code equal}, {@code loadavg}, {@code freemem}, ...). */
    public static WeightMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "weight.mode must be equal, loadavg, loadavg5, loadavg15, freemem or manual: " + text, e);
        }
    }

    /** True for the modes that follow a measured load (smoothed, with hysteresis). */
    public boolean measured() {
        return this == LOADAVG || this == LOADAVG5 || this == LOADAVG15 || this == FREEMEM;
    }

    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }
}
