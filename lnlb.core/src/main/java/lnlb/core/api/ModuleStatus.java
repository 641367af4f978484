package lnlb.core.api;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optional, for a {@link ProtocolModule}: the sizes of its tables for one cluster, which the core's
 * status ({@code lnlb:tables}, {@link lnlb.core.api.admin.TableDTO#entries}) shows. A module that
 * does not implement it is shown with an unknown size.
 *
 * <p>Called on the cluster's event loop, like every module callback, never on the decision path:
 * it may allocate.
 */
@ConsumerType
public interface ModuleStatus {
    /** Sessions tracked for {@code cluster} (the main table), 0 if the cluster is unknown. */
    int entries(Cluster cluster);

    /**
     * Every table the module keeps for {@code cluster}, the main one first, in a fixed order;
     * empty if the cluster is unknown.
     */
    List<TableStatus> tableStatus(Cluster cluster);

    /**
     * One table of a module for one cluster.
     *
     * @param name what it holds, e.g. {@code "connections"}, {@code "fragments"}
     * @param entries entries now
     * @param maxEntries its bound
     * @param evictions live entries evicted at the bound since the table was made or loaded
     */
    record TableStatus(String name, int entries, int maxEntries, long evictions) {
    }
}
