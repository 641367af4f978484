package lnlb.core.api.admin;

/** Who owns a client's next datagram now, and why ({@link ClusterAdmin#owner}). @since 1.3 */
public class OwnerDTO {
    /** The owner node's MAC; empty when no module serves the datagram. */
    public String owner;
    /** True if the owner is this node. */
    public boolean self;
    /** {@code session}: a tracked session; {@code hash}: the cut table of the view; {@code none}: no module. */
    public String reason;
    /** The protocol whose module decides (0: the default handler). */
    public int protocol;
    /** That module's class. */
    public String module;
    /** The assignment key, in hex. */
    public String key;
    /** The key's bucket in the 32-bit hash space the cut table divides. */
    public long bucket;
    /** The view decided under. */
    public long epoch;
    /** The owner's weight in that view, and its share of the hash space (0..1). */
    public int weight;
    public double share;
    /** The tracked session, for reason {@code session}; otherwise null. */
    public SessionDTO session;
}
