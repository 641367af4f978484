package lnlb.core.api.admin;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Control and status of the clusters on this node, as the original driver's {@code lnlbctl}.
 *
 * <p>Clusters are ConfigAdmin factory configurations ({@link #CLUSTER_PID}), so {@link #create}
 * and {@link #delete} survive a restart. Status reads are requests to the cluster's event loop
 * answered within a few seconds; a loop that does not answer makes the call fail with
 * {@link IllegalStateException}.
 *
 * <p>Every method that names a cluster throws {@link IllegalArgumentException} with a one-line
 * message when no cluster has that name or an argument is out of range; callers (the shell) show
 * the message as it is.
 */
@ProviderType
public interface ClusterAdmin {
    /** The factory PID of a cluster's configuration. */
    String CLUSTER_PID = "lnlb.cluster";
    /** Configuration key (String, required): the cluster IP. */
    String VIP = "vip";
    /** Configuration key (String, required): the real device, e.g. {@code eth0}. */
    String DEVICE = "device";
    /** Configuration key (String): the name of the cluster and of its virtual interface. */
    String NAME = "name";
    /** Configuration key (Long): milliseconds between heartbeats. */
    String HEARTBEAT_INTERVAL = "heartbeat.interval.ms";
    /** Configuration key (Integer): heartbeats a node may miss before it is declared dead. */
    String TOLERANCE = "tolerance";
    /** Configuration key (String): LDAP filter choosing the link provider by {@code lnlb.link.type}. */
    String LINK_TARGET = "link.target";
    /** Configuration key (String): the weight mode. */
    String WEIGHT_MODE = "weight.mode";
    /** Configuration key (Integer): the manual weight. */
    String WEIGHT = "weight";
    /** Configuration key (String): the affinity of traffic no port rule matches (source, connection, network). */
    String AFFINITY = "affinity";
    /** Configuration key (String): the ordered port rules {@code PROTO:PORTS:AFFINITY, ...}. */
    String PORT_RULES = "port.rules";

    /**
     * Every configured cluster, sorted by name; one that is not running has state {@code down
     * (REASON)}, REASON being why its last start failed or which link provider it waits for.
     */
    List<ClusterDTO> clusters();

    /** The nodes one cluster knows: its view's members and the peers it hears, sorted by MAC. */
    List<NodeDTO> nodes(String cluster);

    /**
     * Every counter of one running cluster, name to value, in a stable order: its engine's, the
     * cluster protocol's ({@code wire.*}), its link's ({@code link.*}), its event loop's stalls
     * ({@code loop.*}) and the JVM's heap and collections ({@code jvm.*}, the same for every
     * cluster). Names are dotted and lowercase; a later version may add names.
     */
    Map<String, Long> counters(String cluster);

    /** Every registered protocol module, serving, shadowed or rejected, highest ranking first. */
    List<ModuleDTO> modules();

    /** The session tables of the modules serving one cluster, one entry per serving module. */
    List<TableDTO> tables(String cluster);

    /**
     * Lists the live sessions of one cluster that match {@code query}, calling {@code sink} for
     * each (on the caller's thread, up to the query's limit) and counting every match per owner.
     * The tables are read on the cluster's loop in bounded slices, one per loop turn, so the loop
     * decides frames between them and no more than a slice is held at a time: a live listing, not
     * a snapshot.
     *
     * @since 1.3
     */
    SessionCountDTO sessions(String cluster, SessionQueryDTO query, java.util.function.Consumer<SessionDTO> sink);

    /**
     * The node that owns the next datagram of {@code client} now, and why: by the engine's own
     * decision rule under the current view, changing nothing.
     *
     * @param port the client's source port, or -1 for none
     * @param protocol {@code tcp}, {@code udp}, or a protocol number; empty: tcp with a port,
     *     otherwise 0 (a datagram without transport header, decided as the default handler would)
     * @since 1.3
     */
    OwnerDTO owner(String cluster, String client, int port, String protocol);

    /**
     * A digest of every serving module's live sessions (key, owner, state; not times), in total and
     * per bucket, read in bounded slices (one per loop turn) under one view epoch: equal on every
     * node with the same tables.
     *
     * @since 1.3
     */
    DigestDTO digest(String cluster);

    /**
     * Creates the configuration of a new cluster, waits (a few seconds at most) until the cluster
     * has started, and returns its name. Without a name the next free {@code nlbN} is taken. A
     * cluster that cannot start (no link provider of its type, a device that does not exist, ...)
     * is refused: nothing stays configured, and {@link IllegalArgumentException} carries the
     * reason.
     *
     * @since 1.2 (before: returned once configured, and a cluster that could not start stayed down)
     */
    String create(ClusterSpecDTO spec);

    /** Deletes a cluster's configuration: the node leaves the cluster and the interface goes. */
    void delete(String cluster);

    /** Sets how this node computes its weight: equal, loadavg, loadavg5, loadavg15, freemem or manual. */
    void weightMode(String cluster, String mode);

    /** Sets the manual weight (1..1000000); allowed only in manual mode, as in the original. */
    void weight(String cluster, int weight);

    /**
     * Sets this node's affinity and port rules (saved in its configuration; applied live: a
     * coordinator commits them in a view). Set the same on every node.
     *
     * @throws IllegalArgumentException when they do not parse
     * @since 1.5
     */
    void rules(String cluster, String affinity, String portRules);

    /**
     * Drains this node: it keeps serving the sessions it tracks and takes no new one, on any node's
     * decision. With {@code leave} it leaves the cluster once it owns no session, or after
     * {@code timeoutSeconds} (0: no limit). Not saved: a restarted node takes sessions again.
     *
     * @since 1.5
     */
    void drain(String cluster, boolean leave, long timeoutSeconds);

    /** Ends a drain: the node takes new sessions again. @since 1.5 */
    void undrain(String cluster);

    /**
     * Leaves the cluster and joins it again, taking the module states afresh from the others (a
     * lone node founds the cluster again after heartbeat interval x tolerance). A configured
     * cluster that is down (its device was missing, say) tries to start again.
     */
    void resync(String cluster);
}
