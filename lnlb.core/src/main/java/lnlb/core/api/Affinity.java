package lnlb.core.api;

/**
 * How the sessions of a port rule stick to nodes, as in Microsoft NLB's port rules. The core
 * classifies every datagram by the cluster's port rules ({@code port.rules}, agreed in the view, so
 * every node classifies alike) and hands the affinity to the module on the {@link Datagram}
 * ({@link Datagram#affinity()}); a module keys its sessions and its
 * {@linkplain ProtocolModule#assignmentKey assignment key} by it.
 *
 * <ul>
 * <li>{@link #SOURCE}: every connection and datagram of a client (source address) on one node;
 *     the default, NLB's "single". FTP, iperf3, SIP, sessions kept in a server's memory.</li>
 * <li>{@link #CONNECTION}: each connection (flow) is placed on its own: stateless services.</li>
 * <li>{@link #NETWORK}: a client's /24 (IPv4) or /64 (IPv6) on one node: clients behind several
 *     proxies.</li>
 * <li>{@link #DROP}: the cluster answers nothing on these ports; a module never sees them.</li>
 * </ul>
 *
 * A datagram the core did not classify (a module's own tests) says {@link #UNSET}: the module then
 * does what it did before rules existed (a flow tracker: per connection; the default tracker: per
 * source).
 */
public final class Affinity {
    /** Not classified: the module's own behaviour. */
    public static final int UNSET = -1;
    public static final int SOURCE = 0;
    public static final int CONNECTION = 1;
    public static final int NETWORK = 2;
    public static final int DROP = 3;

    private static final String[] NAMES = {"source", "connection", "network", "drop"};

    private Affinity() {
    }

    /** The name used in configuration: {@code source}, {@code connection}, {@code network}, {@code drop}. */
    public static String name(int affinity) {
        return affinity >= 0 && affinity < NAMES.length ? NAMES[affinity] : "unset";
    }

    /**
     * The affinity named {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static int of(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equalsIgnoreCase(name.trim())) {
                return i;
            }
        }
        throw new IllegalArgumentException("affinity must be source, connection, network or drop: '" + name + "'");
    }
}
