package lnlb.core.internal.engine;

/**
 * This node's weight (its load: higher means busier, so it gets fewer new sessions), read once
 * per heartbeat. Always >= 1.
 */
@FunctionalInterface
public interface WeightSource {
    int weight();
}
