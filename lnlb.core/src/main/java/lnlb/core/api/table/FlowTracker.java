package lnlb.core.api.table;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.ModuleStatus;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import org.osgi.annotation.versioning.ConsumerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The skeleton of a per-flow tracker (the TCP and UDP modules): a flow is keyed by (source
 * address, source port) ({@link FlowKeys#flow}), and that key is also the
 * {@linkplain #assignmentKey assignment key}, so the flows of one client spread over the nodes while
 * each stays on the node that took it. A subclass says only what is particular to its protocol,
 * through the state word of a flow entry: {@link #initial}, {@link #next}, {@link #stamp},
 * {@link #tracks}, {@link #startsAfresh} and {@link #handOver}, whose defaults make a flow that
 * lives while datagrams keep coming (UDP); and its dump format ({@link #magic},
 * {@link #flowParameters}, {@link #load}).
 *
 * <h2>Decisions</h2>
 * <ul>
 * <li>A known, live flow keeps its owner: {@link #related} applies the datagram to the entry's
 *     state ({@link #next}) and stamps it ({@link #stamp}), on every node (all nodes see the same
 *     datagrams).</li>
 * <li>An unknown or expired flow, or one {@link #startsAfresh} says ends here, gets {@code NONE}:
 *     the core assigns it by the hash of its flow key and calls {@link #assigned}, which opens it in
 *     the state {@link #initial} gives, unless {@link #tracks} says that state is not worth an entry.</li>
 * <li>{@link #assigned} on a live flow is a hand-over (its owner left the view): {@link #handOver}.</li>
 * </ul>
 *
 * <h2>Fragments</h2>
 * Only the leading fragment of a datagram carries the ports. Its owner is remembered under
 * (source, identification) in a {@link FragmentTable}, and the trailing fragments go there. A
 * trailing fragment that arrives before its leading one is unknown there: {@link #related} returns
 * {@code NONE}, the assignment key is the source address alone ({@link FlowKeys#assignmentKey}),
 * and the owner it gets is remembered, so that the rest of the datagram follows it, including the
 * leading fragment if its flow is unknown (the flow then starts on that node, in state
 * {@code next(initial(d), d)}: {@link #related} may run twice for one datagram, and must leave
 * what the same datagram applied again does not change). If the flow is tracked, its owner wins and
 * the early fragments are lost.
 *
 * <h2>Threading and the hot path</h2>
 * One {@link FlowTables} per {@link Cluster}, used only on the cluster's event loop; the map of
 * tables is concurrent because clusters run on different threads. {@link #related} and
 * {@link #assigned} allocate nothing; the hooks they call must not either. State dumps:
 * {@link FlowDump}, version 2 written, 1 and 2 read; the saving and loading, with their log
 * lines, are in the package-private {@code FlowStateTransfer}.
 */
@ConsumerType
public abstract class FlowTracker implements ProtocolModule, ModuleStatus, SessionEntries {
    /** The largest {@code max.entries} + {@code max.fragments}: a full state must fit one dump. */
    public static final int MAX_ENTRIES = Math.min(SessionTable.MAX_ENTRIES, StateDump.MAX_ENTRIES);

    // Package-private for FlowStateTransfer, which logs as this tracker.
    final Logger log = LoggerFactory.getLogger(getClass());
    final String name;
    final String flowNoun;
    private final long idleMillis;
    private final long fragmentMillis;
    private final int maxEntries;
    private final int maxFragments;
    private final ConcurrentHashMap<Cluster, FlowTables> tables = new ConcurrentHashMap<>();

    /**
     * Checks the bounds, naming the configuration key ({@code idle.timeout.seconds},
     * {@code fragment.timeout.seconds}, {@code max.entries}, {@code max.fragments}) of a value out
     * of range in the {@link IllegalArgumentException}.
     *
     * @param name names the tracker in logs and dumps, e.g. {@code "TCP tracker"}
     * @param flowNoun what a flow is called in logs, e.g. {@code "connections"}
     */
    protected FlowTracker(String name, String flowNoun, long idleMillis, long fragmentMillis, int maxEntries,
            int maxFragments) {
        if (idleMillis <= 0) {
            throw new IllegalArgumentException("idle.timeout.seconds must be positive: " + idleMillis + " ms");
        }
        if (fragmentMillis <= 0) {
            throw new IllegalArgumentException("fragment.timeout.seconds must be positive: " + fragmentMillis + " ms");
        }
        if (maxEntries < 1 || maxEntries > MAX_ENTRIES) {
            throw new IllegalArgumentException("max.entries must be 1.." + MAX_ENTRIES + ": " + maxEntries);
        }
        if (maxFragments < 1 || maxFragments > MAX_ENTRIES - maxEntries) {
            throw new IllegalArgumentException("max.fragments must be 1.." + (MAX_ENTRIES - maxEntries)
                    + " (max.entries + max.fragments <= " + MAX_ENTRIES + "): " + maxFragments);
        }
        this.name = name;
        this.flowNoun = flowNoun;
        this.idleMillis = idleMillis;
        this.fragmentMillis = fragmentMillis;
        this.maxEntries = maxEntries;
        this.maxFragments = maxFragments;
    }

    // ------------------------------------------------------------------ the protocol's hooks

    /** The state a flow opens in when its first datagram is {@code datagram}. Default 0. */
    protected int initial(Datagram datagram) {
        return 0;
    }

    /** The state a live flow in {@code state} moves to on {@code datagram}. Default: unchanged. */
    protected int next(int state, Datagram datagram) {
        return state;
    }

    /**
     * The last-seen time to store for a flow in {@code state} seen {@code now}: a time earlier than
     * {@code now} shortens the entry's life below the idle timeout. Default {@code now}. The shift
     * ({@code now - stamp(now, state)}) depends on the state only: listings undo it
     * ({@link #lastDatagramMillis}) to show the time since the flow's last datagram.
     */
    protected long stamp(long now, int state) {
        return now;
    }

    /** False for a state not worth an entry: such a flow is not opened (an entry for it is removed). Default true. */
    protected boolean tracks(int state) {
        return true;
    }

    /** True if {@code datagram} starts a new flow on the key of a live one in {@code state}. Default false. */
    protected boolean startsAfresh(int state, Datagram datagram) {
        return false;
    }

    /**
     * A live flow is handed to {@code node} (its owner left the view). Default: the new owner, and
     * the entry refreshed as by a datagram in its state.
     */
    protected void handOver(SessionTable flows, int slot, long node, long now) {
        flows.setOwner(slot, node);
        flows.touch(slot, stamp(now, flows.state(slot)));
    }

    // ------------------------------------------------------------------ per datagram

    /**
     * The owner of the datagram's flow, after applying the datagram to its state;
     * {@link NodeAddress#NONE} for an unknown, expired or finished flow and for a trailing fragment
     * whose datagram is unknown.
     */
    @Override
    public final long related(Cluster cluster, Datagram datagram) {
        FlowTables t = tables.get(cluster);
        if (t == null || !datagram.valid()) {
            return NodeAddress.NONE;
        }
        long now = cluster.nowMillis();
        if (FlowKeys.isTrailingFragment(datagram)) {
            return t.fragments().owner(datagram, now);
        }
        if (!FlowKeys.hasPorts(datagram)) {
            return NodeAddress.NONE; // truncated header: by source hash, remembered nowhere
        }
        SessionTable flows = t.flows();
        long key = FlowKeys.flow(datagram);
        int slot = flows.find(key);
        if (slot != SessionTable.NOT_FOUND) {
            if (flows.isExpired(slot, now)) {
                flows.removeAt(slot);
                slot = SessionTable.NOT_FOUND;
            } else if (startsAfresh(flows.state(slot), datagram)) {
                slot = SessionTable.NOT_FOUND; // assigned afresh: the new flow replaces the entry
            }
        }
        if (slot == SessionTable.NOT_FOUND) {
            return unknownFlow(cluster, t, datagram, key, now);
        }
        int state = next(flows.state(slot), datagram);
        flows.setState(slot, state);
        flows.touch(slot, stamp(now, state));
        long owner = flows.owner(slot);
        if (FlowKeys.isLeadingFragment(datagram)) {
            t.fragments().remember(datagram, owner, now);
        }
        return owner;
    }

    /** NONE, unless trailing fragments of this leading one came first: the flow then follows them. */
    private long unknownFlow(Cluster cluster, FlowTables t, Datagram datagram, long key, long now) {
        if (!FlowKeys.isLeadingFragment(datagram)) {
            return NodeAddress.NONE;
        }
        long owner = t.fragments().owner(datagram, now);
        if (owner != NodeAddress.NONE) {
            open(cluster, t, key, next(initial(datagram), datagram), owner, now);
        }
        return owner;
    }

    /**
     * Remembers {@code node} as the owner of the datagram's flow (or of its datagram, for a
     * fragment). For a live flow this is a {@linkplain #handOver hand-over}.
     *
     * @throws IllegalArgumentException if {@code node} is not a node address
     */
    @Override
    public final void assigned(Cluster cluster, Datagram datagram, long node) {
        FlowTables t = tables.get(cluster);
        if (t == null || !datagram.valid()) {
            return;
        }
        if (!NodeAddress.isValid(node)) {
            throw new IllegalArgumentException("not a node address: " + node);
        }
        long now = cluster.nowMillis();
        if (FlowKeys.isTrailingFragment(datagram)) {
            t.fragments().remember(datagram, node, now);
            return;
        }
        if (!FlowKeys.hasPorts(datagram)) {
            return;
        }
        SessionTable flows = t.flows();
        long key = FlowKeys.flow(datagram);
        int slot = flows.find(key);
        if (slot != SessionTable.NOT_FOUND && !flows.isExpired(slot, now)
                && !startsAfresh(flows.state(slot), datagram)) {
            handOver(flows, slot, node, now);
        } else {
            open(cluster, t, key, initial(datagram), node, now);
        }
        if (FlowKeys.isLeadingFragment(datagram)) {
            t.fragments().remember(datagram, node, now);
        }
    }

    /** Starts tracking a flow first seen (or seen again after it ended) in {@code state}. */
    private void open(Cluster cluster, FlowTables t, long key, int state, long owner, long now) {
        SessionTable flows = t.flows();
        if (!tracks(state)) {
            flows.remove(key); // an expired entry, if any
            return;
        }
        long evictions = flows.evictions();
        // put makes room by the real clock; the stamp that may shorten the state's life comes after.
        int slot = flows.put(key, owner, now, state);
        flows.touch(slot, stamp(now, state));
        if (evictions == 0 && flows.evictions() != 0) {
            log.warn("Cluster {}: {} holds {} {} (max.entries); evicting those nearest to expiry",
                    cluster.name(), name, maxEntries, flowNoun);
        }
    }

    /** The flow key when the datagram shows ports, else the source address: see {@link FlowKeys#assignmentKey}. */
    @Override
    public final long assignmentKey(Cluster cluster, Datagram datagram) {
        return FlowKeys.assignmentKey(datagram);
    }

    // ------------------------------------------------------------------ cluster events

    @Override
    public final void nodeDied(Cluster cluster, long node) {
        FlowTables t = tables.get(cluster);
        if (t != null) {
            int flows = t.flows().removeOwner(node);
            int fragments = t.fragments().removeOwner(node);
            log.info("Cluster {}: node {} died, {} forgot its {} {} and {} fragmented datagrams",
                    cluster.name(), NodeAddress.format(node), name, flows, flowNoun, fragments);
        }
    }

    @Override
    public final void clusterCreated(Cluster cluster) {
        if (tables.putIfAbsent(cluster, FlowTables.empty(maxEntries, idleMillis, maxFragments, fragmentMillis)) == null) {
            log.info("Cluster {}: {} ready ({}, at most {} {})", cluster.name(), name,
                    describe(localParameters()), maxEntries, flowNoun);
        }
    }

    @Override
    public final void clusterDeleted(Cluster cluster) {
        FlowTables t = tables.remove(cluster);
        if (t != null) {
            log.info("Cluster {}: {} dropped {} {}", cluster.name(), name, t.flows().size(), flowNoun);
        }
    }

    // ------------------------------------------------------------------ state transfer

    /** The magic of this module's dumps, e.g. "LNTC". */
    protected abstract int magic();

    /** This node's flow parameters as its dumps carry them (the fragment life follows them). */
    protected abstract long[] flowParameters();

    /**
     * Builds the tables of a dump whose layout {@link FlowDump#read} checked: checks the sender's
     * parameters and the flow state words ({@link FlowDump#invalid}), and maps the sender's flow
     * times into this node's clock and timeouts ({@link FlowDump#tables}).
     *
     * @throws IllegalArgumentException saying what is wrong with the dump
     */
    protected abstract FlowTables load(FlowDump dump, long now);

    /** {@code parameters} (flow parameters, then fragment life) for a log line. */
    protected String describe(long[] parameters) {
        return "parameters " + Arrays.toString(parameters) + " ms";
    }

    /** The cluster's tables in the {@link FlowDump} format, version 2; empty for an unknown cluster. */
    @Override
    public final byte[] saveState(Cluster cluster) {
        return FlowStateTransfer.save(this, cluster, tables.get(cluster));
    }

    /**
     * Replaces the cluster's tables with a dump (version 1 or 2), on this node's clock and
     * timeouts. The dump is checked completely before anything changes.
     *
     * @throws IllegalArgumentException if the dump is corrupt, truncated or of an unknown format;
     *     the current tables are then untouched
     */
    @Override
    public final void loadState(Cluster cluster, byte[] state) {
        FlowStateTransfer.load(this, tables, cluster, state);
    }

    /** This node's flow parameters, then its fragment life: what a dump's sender is compared with. */
    long[] localParameters() {
        long[] flow = flowParameters();
        long[] all = Arrays.copyOf(flow, flow.length + 1);
        all[flow.length] = fragmentMillis;
        return all;
    }

    // ------------------------------------------------------------------ status

    /** Flows tracked for {@code cluster}, 0 if it is unknown. Call it on the cluster's loop, like every other method. */
    @Override
    public final int entries(Cluster cluster) {
        FlowTables t = tables.get(cluster);
        return t == null ? 0 : t.flows().size();
    }

    /** Fragmented datagrams followed for {@code cluster}. */
    public final int fragments(Cluster cluster) {
        FlowTables t = tables.get(cluster);
        return t == null ? 0 : t.fragments().size();
    }

    /** Live flows evicted at the bound since the cluster's table was made or loaded. */
    public final long evictions(Cluster cluster) {
        FlowTables t = tables.get(cluster);
        return t == null ? 0 : t.flows().evictions();
    }

    /** Live fragment entries evicted at the bound since the cluster's table was made or loaded. */
    public final long fragmentEvictions(Cluster cluster) {
        FlowTables t = tables.get(cluster);
        return t == null ? 0 : t.fragments().evictions();
    }

    /** The flow table, then the fragment table; empty for an unknown cluster. */
    @Override
    public final List<TableStatus> tableStatus(Cluster cluster) {
        FlowTables t = tables.get(cluster);
        if (t == null) {
            return List.of();
        }
        return List.of(new TableStatus(flowNoun, t.flows().size(), maxEntries, t.flows().evictions()),
                new TableStatus("fragments", t.fragments().size(), maxFragments, t.fragments().evictions()));
    }

    // ------------------------------------------------------------------ sessions (SessionEntries)

    /** Flow keys ({@link FlowKeys#flow}). */
    @Override
    public final int keyKind() {
        return KEY_FLOW;
    }

    /** The flow table's slots {@code [from, from + slots)}; {@link #END} for an unknown cluster. */
    @Override
    public final int visit(Cluster cluster, int from, int slots, SessionTable.Visitor visitor) {
        FlowTables t = tables.get(cluster);
        return t == null ? END : t.flows().visit(from, slots, visitor);
    }

    @Override
    public final long entryIdleMillis() {
        return idleMillis;
    }

    /** The flow table's entry for {@code key}, found by its hash, not by a scan. */
    @Override
    public final boolean visitKey(Cluster cluster, long key, SessionTable.Visitor visitor) {
        FlowTables t = tables.get(cluster);
        int slot = t == null ? SessionTable.NOT_FOUND : t.flows().find(key);
        if (slot == SessionTable.NOT_FOUND) {
            return false;
        }
        SessionTable flows = t.flows();
        visitor.visit(key, flows.owner(slot), flows.lastSeen(slot), flows.state(slot));
        return true;
    }

    /** Undoes {@link #stamp}'s shift for {@code state}. */
    @Override
    public final long lastDatagramMillis(long lastSeen, int state) {
        return lastSeen - stamp(0, state);
    }

    /**
     * What {@link #related} would answer for {@code datagram}, changing nothing: the owner of its
     * live flow (not expired, not one {@link #startsAfresh} ends), of its datagram for a trailing
     * fragment, else {@link NodeAddress#NONE}.
     */
    @Override
    public final long lookup(Cluster cluster, Datagram datagram) {
        FlowTables t = tables.get(cluster);
        if (t == null || !datagram.valid()) {
            return NodeAddress.NONE;
        }
        long now = cluster.nowMillis();
        if (FlowKeys.isTrailingFragment(datagram)) {
            return t.fragments().peek(datagram, now);
        }
        if (!FlowKeys.hasPorts(datagram)) {
            return NodeAddress.NONE;
        }
        SessionTable flows = t.flows();
        int slot = flows.find(FlowKeys.flow(datagram));
        if (slot == SessionTable.NOT_FOUND || flows.isExpired(slot, now) || startsAfresh(flows.state(slot), datagram)) {
            return FlowKeys.isLeadingFragment(datagram) ? t.fragments().peek(datagram, now) : NodeAddress.NONE;
        }
        return flows.owner(slot);
    }

    /** The tables of {@code cluster}, or null: for tests and dumps. Call it on the cluster's loop. */
    protected final FlowTables flowTables(Cluster cluster) {
        return tables.get(cluster);
    }

    public final long idleMillis() {
        return idleMillis;
    }

    public final long fragmentMillis() {
        return fragmentMillis;
    }

    public final int maxEntries() {
        return maxEntries;
    }

    public final int maxFragments() {
        return maxFragments;
    }
}
