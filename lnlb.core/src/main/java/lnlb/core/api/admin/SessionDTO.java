package lnlb.core.api.admin;

/** One tracked session, as {@code lnlb:conntrack} lists it. @since 1.3 */
public class SessionDTO {
    /** The protocol whose module tracks it (its first served protocol; 0: the default handler). */
    public int protocol;
    /** The client's address (IPv4 dotted), or {@code key:HEX} for a key that is not an IPv4 source. */
    public String source;
    /** The client's source port for a per-flow tracker, -1 for a tracker by source address. */
    public int port;
    /** The owner node's MAC. */
    public String owner;
    /** The module's state name ({@code ESTABLISHED}, ...), {@code -} when it has none. */
    public String state;
    /** Milliseconds since the entry was last refreshed (per-state lives may shift it: see expiresInMillis). */
    public long idleMillis;
    /** Milliseconds until the entry expires if nothing refreshes it. */
    public long expiresInMillis;
}
