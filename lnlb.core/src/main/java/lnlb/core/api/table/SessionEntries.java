package lnlb.core.api.table;

import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optional, for a {@link lnlb.core.api.ProtocolModule}: its sessions, for the operator's
 * {@code lnlb:conntrack} and {@code lnlb:owner}. {@link FlowTracker} implements it (TCP, UDP); the
 * default tracker does too.
 *
 * <p>Threading: called on the cluster's event loop, like every module callback, never on the
 * decision path. {@link #visit} is called repeatedly with a moving cursor, one bounded slice per
 * loop turn, so a table of millions of entries is listed while the loop keeps deciding frames
 * between slices: a listing is live, not a snapshot (an entry that moves while it is listed may be
 * missed or shown twice, as with {@code conntrack -L}).
 *
 * @since 1.4
 */
@ConsumerType
public interface SessionEntries {
    /** {@link #keyKind()}: keys are {@link Datagram#sourceKey()} (an IPv4 address as its unsigned value). */
    int KEY_SOURCE = 0;
    /** {@link #keyKind()}: keys are {@link FlowKeys#flow} (IPv4: address &lt;&lt; 16 | source port). */
    int KEY_FLOW = 1;
    /** What {@link #visit} returns when the table has no slot left. */
    int END = -1;

    /** How the keys of the main table are packed: {@link #KEY_SOURCE} or {@link #KEY_FLOW}. */
    int keyKind();

    /**
     * Visits the entries of the main table in slots {@code [from, from + slots)} (slot order) and
     * returns the next slot to visit, or {@link #END}. The visitor must not change the table.
     */
    int visit(Cluster cluster, int from, int slots, SessionTable.Visitor visitor);

    /** The entries' idle timeout: an entry expires at {@code lastSeen + idleMillis()}. */
    long entryIdleMillis();

    /**
     * Visits the entry of the main table with {@code key}, if there is one (live or not), and says
     * whether there was; for {@code lnlb:owner}, which shows the session it names. The default
     * reads the whole table in one call: a module with a keyed table should look the key up.
     *
     * @since 1.5
     */
    default boolean visitKey(Cluster cluster, long key, SessionTable.Visitor visitor) {
        boolean[] found = {false};
        for (int from = 0; from != END && !found[0]; ) {
            from = visit(cluster, from, Integer.MAX_VALUE, (k, owner, lastSeen, state) -> {
                if (k == key && !found[0]) {
                    found[0] = true;
                    visitor.visit(k, owner, lastSeen, state);
                }
            });
        }
        return found[0];
    }

    /**
     * When the last datagram of an entry stamped {@code lastSeen} in {@code state} came, for the
     * idle time listings show: {@code lastSeen} itself unless the module stamps entries in some
     * states earlier to shorten their life (as {@link FlowTracker#stamp} does).
     *
     * @since 1.5
     */
    default long lastDatagramMillis(long lastSeen, int state) {
        return lastSeen;
    }

    /** The name of a state word for listings, e.g. {@code ESTABLISHED}; {@code "-"} when states mean nothing. */
    default String stateName(int state) {
        return "-";
    }

    /**
     * The owner of the live session {@code datagram} belongs to, as {@code related} would return
     * it, but without changing anything (no state applied, no time refreshed, nothing removed); or
     * {@link NodeAddress#NONE} when no live session claims it (the core then assigns by hash).
     */
    long lookup(Cluster cluster, Datagram datagram);
}
