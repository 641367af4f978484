package lnlb.core.api.run;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * This node's weight (its load: higher means busier, so it gets fewer new sessions), read on the
 * cluster's loop once per heartbeat. Always >= 1.
 */
@ConsumerType
@FunctionalInterface
public interface WeightSource {
    int weight();

    /** A fixed weight. */
    static WeightSource fixed(int weight) {
        HostWeights.checkManual(weight);
        return () -> weight;
    }
}
