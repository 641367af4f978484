package lnlb.core.api.run;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a running cluster shows of itself, read-only. In an OSGi framework each cluster that runs
 * (configuration {@code lnlb.cluster}) is registered as a service of this type, with its
 * configuration's properties (never its keys) as service properties.
 */
@ProviderType
public interface ClusterInfo {
    /** The cluster's virtual interface, e.g. {@code nlb0}. */
    String interfaceName();

    /** This node's address (its MAC on the bound device). */
    long localNode();

    NodeState state();

    /** The view this node holds now ({@link ClusterView#EMPTY} before it joined one). */
    ClusterView view();

    /** The coordinator of the view as this node sees it (the lowest live member), or NONE. */
    long coordinator();

    /** A snapshot of the engine and wire counters. */
    ClusterCounters counters();
}
