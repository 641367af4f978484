package lnlb.module.udp.internal;

import lnlb.core.api.table.FragmentTable;
import lnlb.core.api.table.SessionTable;

/**
 * One cluster's state: the flows, keyed by {@link lnlb.core.api.table.FlowKeys#flow} (state word
 * unused, 0), and the fragments in flight. Used on the cluster's loop only; replaced as a whole by
 * a state load.
 */
final class UdpTables {
    final SessionTable flows;
    final FragmentTable fragments;

    UdpTables(SessionTable flows, FragmentTable fragments) {
        this.flows = flows;
        this.fragments = fragments;
    }

    static UdpTables empty(long idleMillis, long fragmentMillis, int maxEntries, int maxFragments) {
        return new UdpTables(new SessionTable(maxEntries, idleMillis), new FragmentTable(maxFragments, fragmentMillis));
    }
}
