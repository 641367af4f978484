package lnlb.core.api.table;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import lnlb.core.api.Cluster;

/**
 * A {@link FlowTracker}'s state transfer: its tables written as a {@link FlowDump} (version 2),
 * and replaced from one (version 1 or 2), with the log lines an operator needs (a sender with
 * another configuration, entries dropped at the bounds). Not on the per-datagram path; the
 * tracker's {@code saveState} and {@code loadState} delegate here.
 */
final class FlowStateTransfer {
    private FlowStateTransfer() {
    }

    /** {@link FlowTracker#saveState}: {@code t} may be null (an unknown cluster: empty tables). */
    static byte[] save(FlowTracker tracker, Cluster cluster, FlowTables t) {
        byte[] dump = FlowDump.write(tracker.magic(), FlowDump.VERSION_2, cluster.nowMillis(), tracker.flowParameters(),
                tracker.fragmentMillis(), t);
        tracker.log.debug("Cluster {}: {} saved {} {} ({} bytes)",
                cluster.name(), tracker.name, t == null ? 0 : t.flows().size(), tracker.flowNoun, dump.length);
        return dump;
    }

    /**
     * {@link FlowTracker#loadState}: checks the dump completely and builds its tables
     * ({@link FlowTracker#load}) before it replaces the cluster's entry in {@code tables}.
     */
    static void load(FlowTracker tracker, Map<Cluster, FlowTables> tables, Cluster cluster, byte[] state) {
        long now = cluster.nowMillis();
        FlowDump dump = FlowDump.read(state, tracker.magic(), what(tracker), tracker.flowParameters().length);
        FlowTables loaded = tracker.load(dump, now);
        long[] sender = dump.parameters(tracker.fragmentMillis());
        long[] local = tracker.localParameters();
        if (!Arrays.equals(sender, local)) {
            tracker.log.warn("Cluster {}: the sender of the {} state uses {}, this node {}; nodes must share the configuration",
                    cluster.name(), tracker.name, tracker.describe(sender), tracker.describe(local));
        }
        int dropped = dump.flows() - loaded.flows().size() + dump.fragments() - loaded.fragments().size();
        if (dropped > 0) {
            tracker.log.warn("Cluster {}: {} state holds {} {} and {} fragmented datagrams, more than"
                    + " max.entries={} / max.fragments={} here; kept those with the most life left", cluster.name(),
                    tracker.name, dump.flows(), tracker.flowNoun, dump.fragments(), tracker.maxEntries(),
                    tracker.maxFragments());
        }
        tables.put(cluster, loaded);
        tracker.log.info("Cluster {}: {} loaded {} {}, {} fragmented datagrams (format {}, sender clock {} ms behind this node)",
                cluster.name(), tracker.name, loaded.flows().size(), tracker.flowNoun, loaded.fragments().size(),
                dump.version(), now - dump.senderClock());
    }

    /** How dumps and their errors name the tracker, e.g. {@code "tcp tracker state"}. */
    private static String what(FlowTracker tracker) {
        return tracker.name.toLowerCase(Locale.ROOT) + " state";
    }
}
