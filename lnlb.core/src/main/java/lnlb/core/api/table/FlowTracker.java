package lnlb.core.api.table;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import lnlb.core.api.Affinity;
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
 * <h2>Affinity</h2>
 * A flow is always tracked on its own (key: source address and port, destination port), so an
 * established flow keeps its node whatever the port rules become. The {@link Datagram#affinity()}
 * the core classified decides where a <em>new</em> flow goes: {@link Affinity#CONNECTION} (and
 * {@link Affinity#UNSET}) by the hash of its flow key; {@link Affinity#SOURCE} and
 * {@link Affinity#NETWORK} to the node of the client's entry ({@link FlowKeys#client}) while it
 * lives and its node does not {@linkplain Datagram#drains drain}, else by the hash of the source
 * (network) key, which the assignment opens (and the client's entry then follows). Every datagram
 * of a tracked flow under those affinities refreshes the client's entry with the life its flow's
 * state gives (a client whose connections ended goes as they do). Entries of dumps of version 1 and 2 carry {@linkplain FlowKeys#legacyFlow
 * legacy flow keys}: a flow not found under its key is looked up under its legacy key.
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
        int slot = findFlow(flows, datagram, key);
        if (slot != SessionTable.NOT_FOUND) {
            if (flows.isExpired(slot, now)) {
                flows.removeAt(slot);
                slot = SessionTable.NOT_FOUND;
            } else if (startsAfresh(flows.state(slot), datagram)) {
                slot = SessionTable.NOT_FOUND; // assigned afresh: the new flow replaces the entry
            }
        }
        if (slot == SessionTable.NOT_FOUND) {
            long owner = unknownFlow(cluster, t, datagram, key, now);
            return owner == NodeAddress.NONE ? clientsFlow(cluster, t, datagram, key, now) : owner;
        }
        int state = next(flows.state(slot), datagram);
        flows.setState(slot, state);
        flows.touch(slot, stamp(now, state));
        long owner = flows.owner(slot);
        if (FlowKeys.keepsClients(datagram.affinity())) {
            refreshClient(flows, datagram, owner, state, now, false);
        }
        if (FlowKeys.isLeadingFragment(datagram)) {
            t.fragments().remember(datagram, owner, now);
        }
        return owner;
    }

    /** The flow's slot under its key, else under its legacy key (a dump of version 1 or 2). */
    private static int findFlow(SessionTable flows, Datagram datagram, long key) {
        int slot = flows.find(key);
        if (slot == SessionTable.NOT_FOUND) {
            long legacy = FlowKeys.legacyFlow(datagram);
            if (legacy != key) {
                slot = flows.find(legacy);
            }
        }
        return slot;
    }

    /**
     * A new flow under source or network affinity goes to the node of its client's live entry:
     * the flow opens there (as {@link #assigned} would open it) and that node is the answer. NONE
     * when the affinity keeps no clients or the client has no live entry (the core then hashes).
     */
    private long clientsFlow(Cluster cluster, FlowTables t, Datagram datagram, long key, long now) {
        int affinity = datagram.affinity();
        if (!FlowKeys.keepsClients(affinity)) {
            return NodeAddress.NONE;
        }
        SessionTable flows = t.flows();
        int client = flows.find(FlowKeys.client(datagram, affinity));
        if (client == SessionTable.NOT_FOUND) {
            return NodeAddress.NONE;
        }
        if (flows.isExpired(client, now)) {
            flows.removeAt(client);
            return NodeAddress.NONE;
        }
        long owner = flows.owner(client);
        if (datagram.drains(owner)) {
            return NodeAddress.NONE; // its node drains: the new flow is hashed, and the client follows it
        }
        int state = initial(datagram);
        open(cluster, t, key, state, owner, now);
        if (tracks(state)) {
            refreshClient(flows, datagram, owner, state, now, false);
        }
        if (FlowKeys.isLeadingFragment(datagram)) {
            t.fragments().remember(datagram, owner, now);
        }
        return owner;
    }

    /**
     * Gives the client's entry the life of its latest datagram's flow in {@code state} (a client
     * whose connections ended is forgotten as soon as they are); opens it for {@code owner} when
     * missing or expired. {@code reassign}: it now belongs to {@code owner} (an assignment by hash,
     * a hand-over); otherwise a live entry keeps its node.
     */
    private void refreshClient(SessionTable flows, Datagram datagram, long owner, int state, long now, boolean reassign) {
        long clientKey = FlowKeys.client(datagram, datagram.affinity());
        int slot = flows.find(clientKey);
        if (slot == SessionTable.NOT_FOUND || flows.isExpired(slot, now)) {
            slot = flows.put(clientKey, owner, now, state);
        } else if (reassign) {
            flows.setOwner(slot, owner);
        }
        flows.setState(slot, state);
        flows.touch(slot, stamp(now, state));
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
        int slot = findFlow(flows, datagram, key);
        int state;
        if (slot != SessionTable.NOT_FOUND && !flows.isExpired(slot, now)
                && !startsAfresh(flows.state(slot), datagram)) {
            handOver(flows, slot, node, now);
            state = flows.state(slot);
        } else {
            state = initial(datagram);
            open(cluster, t, key, state, node, now);
        }
        if (FlowKeys.keepsClients(datagram.affinity()) && tracks(state)) {
            refreshClient(flows, datagram, node, state, now, true);
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

    /**
     * By the datagram's affinity ({@link FlowKeys#assignmentKey(Datagram, int)}): the source or its
     * network, else the flow key when the datagram shows ports, else the source address.
     */
    @Override
    public final long assignmentKey(Cluster cluster, Datagram datagram) {
        return FlowKeys.assignmentKey(datagram, datagram.affinity());
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
        int slot = findFlow(flows, datagram, FlowKeys.flow(datagram));
        if (slot == SessionTable.NOT_FOUND || flows.isExpired(slot, now) || startsAfresh(flows.state(slot), datagram)) {
            long owner = FlowKeys.isLeadingFragment(datagram) ? t.fragments().peek(datagram, now) : NodeAddress.NONE;
            if (owner == NodeAddress.NONE && FlowKeys.keepsClients(datagram.affinity())) {
                int client = flows.find(FlowKeys.client(datagram, datagram.affinity()));
                if (client != SessionTable.NOT_FOUND && !flows.isExpired(client, now)
                        && !datagram.drains(flows.owner(client))) {
                    owner = flows.owner(client);
                }
            }
            return owner;
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
