package lnlb.core.api.table;

/**
 * One cluster's state in a {@link FlowTracker}: the flows, keyed by {@link FlowKeys#flow}, with the
 * module's state word, and the fragments in flight. Used on the cluster's loop only; replaced as a
 * whole by a state load.
 */
public record FlowTables(SessionTable flows, FragmentTable fragments) {
    /** Empty tables with these bounds and timeouts. */
    public static FlowTables empty(int maxEntries, long idleMillis, int maxFragments, long fragmentMillis) {
        return new FlowTables(new SessionTable(maxEntries, idleMillis), new FragmentTable(maxFragments, fragmentMillis));
    }
}
