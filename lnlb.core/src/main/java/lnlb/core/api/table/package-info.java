/**
 * Building blocks for protocol modules: {@link lnlb.core.api.table.SessionTable}, a bounded,
 * deterministic session table over primitive {@code long} keys; {@link lnlb.core.api.table.FlowKeys},
 * the packing of flow and fragment identities into such keys; {@link lnlb.core.api.table.FragmentTable},
 * which sends the trailing fragments of a datagram where its leading fragment went;
 * {@link lnlb.core.api.table.StateDump}, the framing of a module's versioned state dump; and
 * {@link lnlb.core.api.table.FlowTracker}, the skeleton of a per-flow tracker (TCP, UDP) with its
 * tables ({@link lnlb.core.api.table.FlowTables}) and dump format ({@link lnlb.core.api.table.FlowDump}).
 *
 * <p>1.1.0 added FlowKeys, FragmentTable and StateDump; 1.2.0 the column encoding of StateDump
 * tables ({@code StateDump.COLUMN_ENTRY_LENGTH}), which makes a hot swap of a million entries fast;
 * 1.3.0 FlowTracker, FlowTables and FlowDump, one copy of what the TCP and UDP trackers each wrote;
 * 1.4.0 {@link lnlb.core.api.table.SessionEntries} (a module's sessions, listed in slices, and a
 * lookup that changes nothing) and {@code SessionTable.visit}, for {@code lnlb:conntrack} and
 * {@code lnlb:owner}; 1.5.0 {@code SessionEntries.lastDatagramMillis}, so that a listing's idle time
 * is the time since the last datagram even where a tracker shortened an entry's life, and
 * {@code SessionEntries.visitKey}, one entry by its key (FlowTracker: a lookup, not a scan);
 * 1.6.0 affinity (issue 13): {@code FlowKeys.flow} takes the destination port,
 * {@code FlowKeys.legacyFlow}, {@code client} (and its {@code NETWORK} bit), {@code keepsClients} and
 * {@code assignmentKey(Datagram, int)}; {@code FlowTracker} keeps a client's new flows together
 * under source and network affinity.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.6.0")
package lnlb.core.api.table;
