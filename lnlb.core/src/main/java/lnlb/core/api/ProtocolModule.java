package lnlb.core.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A session tracker for one IP protocol: the original driver's {@code struct lnlb_protocol_module}
 * with its seven callbacks. Register it as a service with the integer property
 * {@link #PROTOCOL} (or annotate the component with
 * {@link lnlb.core.api.propertytypes.Protocol @Protocol}); unregistering it is
 * {@code lnlb_unregister_ph}. For one protocol the service with the highest
 * {@code service.ranking} serves; the core moves the state across with {@link #saveState} and
 * {@link #loadState} when that changes.
 *
 * <p>Threading: every call for one {@link Cluster} comes from that cluster's event loop, never two
 * at a time, so per-cluster tables need no locks. Calls for different clusters may run on
 * different threads. A {@link Datagram} is valid only during the call that received it.
 *
 * <p>Every node sees every datagram and calls its modules in the same order, so a module must be
 * deterministic: the same calls must leave every node's table the same.
 */
@ConsumerType
public interface ProtocolModule {
    /** Service property (Integer 0..255): the IP protocol served; 0 = default handler. */
    String PROTOCOL = "lnlb.protocol";

    /** The protocol number of the default handler, which serves every protocol without a module. */
    int DEFAULT_HANDLER = 0;

    /**
     * {@code dgram_is_related}: the node that owns the session this datagram belongs to, or
     * {@link NodeAddress#NONE} when the module knows no such session (the core then assigns it by
     * hash and calls {@link #assigned}). Must not allocate: it runs for every datagram.
     */
    long related(Cluster cluster, Datagram datagram);

    /** {@code dgram_assigned}: the core assigned this datagram to {@code node}; remember it. */
    void assigned(Cluster cluster, Datagram datagram, long node);

    /** {@code node_died}: {@code node} left the cluster; forget the sessions it owned. */
    void nodeDied(Cluster cluster, long node);

    /** {@code interface_created}: a cluster was created; set up its table. */
    void clusterCreated(Cluster cluster);

    /** {@code interface_deleted}: the cluster is gone; release its table. */
    void clusterDeleted(Cluster cluster);

    /**
     * {@code save_status}: the module's whole state for this cluster, in the module's own
     * versioned format. The dump should carry {@link Cluster#nowMillis()} so a receiver whose
     * clock differs can shift timestamps.
     */
    byte[] saveState(Cluster cluster);

    /**
     * {@code load_status}: replace the state for this cluster with a dump made by
     * {@link #saveState} (possibly by an older version of the module, on another node).
     *
     * @throws IllegalArgumentException if the dump is corrupt, truncated or of an unknown version;
     *     the current state must then be left as it was
     */
    void loadState(Cluster cluster, byte[] state);

    /**
     * The key the core hashes to pick the owner of a datagram no session claims. The default is the
     * source address (the original's behaviour: every connection of a client lands on one node);
     * a per-flow tracker mixes the source port in so that one client's flows spread. Must be
     * deterministic and must not allocate.
     */
    default long assignmentKey(Cluster cluster, Datagram datagram) {
        return datagram.sourceKey();
    }
}
