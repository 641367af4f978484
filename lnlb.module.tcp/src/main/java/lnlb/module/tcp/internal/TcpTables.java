package lnlb.module.tcp.internal;

import lnlb.core.api.table.FragmentTable;
import lnlb.core.api.table.SessionTable;

/**
 * One cluster's state: the connections, keyed by {@link lnlb.core.api.table.FlowKeys#flow}, with
 * their {@link TcpState} in the state word, and the fragments in flight. Used on the cluster's
 * loop only; replaced as a whole by a state load.
 */
final class TcpTables {
    final SessionTable flows;
    final FragmentTable fragments;

    TcpTables(SessionTable flows, FragmentTable fragments) {
        this.flows = flows;
        this.fragments = fragments;
    }

    static TcpTables empty(TcpTimeouts timeouts, int maxEntries, int maxFragments) {
        return new TcpTables(new SessionTable(maxEntries, timeouts.idleMillis()),
                new FragmentTable(maxFragments, timeouts.fragmentMillis()));
    }
}
