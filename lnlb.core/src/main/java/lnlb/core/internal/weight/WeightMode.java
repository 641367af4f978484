package lnlb.core.internal.weight;

import java.util.Locale;

/** How a node computes its weight (its load), as the original's {@code weight_mode}. */
public enum WeightMode {
    /** 1-minute load average x 100. */
    LOADAVG,
    /** 5-minute load average x 100. */
    LOADAVG5,
    /** 15-minute load average x 100. */
    LOADAVG15,
    /** Used memory in per mille (the original's "freemem" mode weighs by what is not free). */
    FREEMEM,
    /** A fixed weight set by the administrator. */
    MANUAL;

    /** Parses the shell/config spelling ({@code loadavg}, {@code freemem}, ...). */
    public static WeightMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("weight.mode must be loadavg, loadavg5, loadavg15, freemem or manual: " + text, e);
        }
    }

    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }
}
