package lnlb.core.api.table;

import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;

/**
 * Where the rest of a fragmented datagram goes. Only the fragment at offset 0 carries the ports
 * that name a flow; the others carry the same (source, identification) and nothing else. A
 * per-flow tracker remembers, for a short time, the node that took a datagram's leading fragment
 * under its {@linkplain FlowKeys#fragment fragment key}, and sends the trailing fragments there.
 *
 * <p>A {@link SessionTable} keyed by {@link FlowKeys#fragment}, whose idle timeout is the entry's
 * fixed life: lookups do not refresh an entry, so it lives {@code lifeMillis} from the last
 * {@link #remember}, like the kernel's reassembly timer ({@code net.ipv4.ipfrag_time}, 30 s by
 * default) that starts with the first fragment received. The state word is unused (0). Bounded
 * and deterministic like the table it wraps; not thread-safe (one table per cluster, used on its
 * loop).
 */
public final class FragmentTable {
    private final SessionTable table;

    /**
     * @param maxEntries the bound on datagrams being reassembled, 1..{@link SessionTable#MAX_ENTRIES}
     * @param lifeMillis how long an entry lives after {@link #remember}; positive
     * @throws IllegalArgumentException on a value out of range
     */
    public FragmentTable(int maxEntries, long lifeMillis) {
        this(new SessionTable(maxEntries, lifeMillis));
    }

    /** Wraps a table built elsewhere (from a state dump); its idle timeout is the entries' life. */
    public FragmentTable(SessionTable table) {
        if (table == null) {
            throw new IllegalArgumentException("table is null");
        }
        this.table = table;
    }

    /**
     * The node that took the datagram {@code fragment} belongs to, or {@link NodeAddress#NONE} if
     * unknown or older than the life (an old entry is then dropped). Does not refresh the entry.
     */
    public long owner(Datagram fragment, long now) {
        int slot = table.find(FlowKeys.fragment(fragment));
        if (slot == SessionTable.NOT_FOUND) {
            return NodeAddress.NONE;
        }
        if (table.isExpired(slot, now)) {
            table.removeAt(slot);
            return NodeAddress.NONE;
        }
        return table.owner(slot);
    }

    /** As {@link #owner}, but drops nothing: for a lookup that changes no table. @since 1.4 */
    public long peek(Datagram fragment, long now) {
        int slot = table.find(FlowKeys.fragment(fragment));
        return slot == SessionTable.NOT_FOUND || table.isExpired(slot, now) ? NodeAddress.NONE : table.owner(slot);
    }

    /**
     * Sends the rest of the datagram {@code fragment} belongs to {@code owner}, for the life from
     * {@code now}; replaces what was remembered for the same (source, identification).
     *
     * @throws IllegalArgumentException if {@code owner} is not a node address
     */
    public void remember(Datagram fragment, long owner, long now) {
        table.put(FlowKeys.fragment(fragment), owner, now, 0);
    }

    /** Forgets every datagram owned by {@code node}; returns how many. */
    public int removeOwner(long node) {
        return table.removeOwner(node);
    }

    /** Datagrams remembered (some may be past their life and not yet dropped). */
    public int size() {
        return table.size();
    }

    /** Live entries evicted at the bound. */
    public long evictions() {
        return table.evictions();
    }

    /** The entries' life in milliseconds. */
    public long lifeMillis() {
        return table.idleMillis();
    }

    /** The table underneath, for state dumps ({@link StateDump}). */
    public SessionTable table() {
        return table;
    }

    @Override
    public String toString() {
        return "FragmentTable[size=" + table.size() + ", maxEntries=" + table.maxEntries() + ", lifeMillis="
                + table.idleMillis() + ", evictions=" + table.evictions() + "]";
    }
}
