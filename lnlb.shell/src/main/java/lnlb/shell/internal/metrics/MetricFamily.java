package lnlb.shell.internal.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * One metric family: its name, type, unit and help, and its samples (a label set and a value each).
 * The name is the OpenMetrics family name: a counter's has no {@code _total} (its samples add it),
 * a name with a unit ends with it ({@code lnlb_jvm_gc_seconds}).
 */
public final class MetricFamily {
    /** The two types lnlb exposes. */
    public enum Type {
        /** Only grows while the cluster runs (reset when it restarts). */
        COUNTER,
        /** A value now. */
        GAUGE
    }

    /** One sample: label names and values alternating, and the value. */
    public record Sample(List<String> labels, double value) {
    }

    private final String name;
    private final Type type;
    private final String unit;
    private final String help;
    private final List<Sample> samples = new ArrayList<>();

    public MetricFamily(String name, Type type, String unit, String help) {
        if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*") || name.endsWith("_total")) {
            throw new IllegalArgumentException("not a metric family name: " + name);
        }
        if (!unit.isEmpty() && !name.endsWith("_" + unit)) {
            throw new IllegalArgumentException(name + " must end with its unit " + unit);
        }
        this.name = name;
        this.type = type;
        this.unit = unit;
        this.help = help;
    }

    /** Adds a sample; {@code labels} are name, value, name, value... */
    public MetricFamily add(double value, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs: " + List.of(labels));
        }
        samples.add(new Sample(List.of(labels), value));
        return this;
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public String unit() {
        return unit;
    }

    public String help() {
        return help;
    }

    public List<Sample> samples() {
        return samples;
    }
}
