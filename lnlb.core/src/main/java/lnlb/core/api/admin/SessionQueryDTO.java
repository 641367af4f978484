package lnlb.core.api.admin;

/** Which sessions {@link ClusterAdmin#sessions} lists; the defaults list every one. @since 1.3 */
public class SessionQueryDTO {
    /** An IPv4 address or {@code ADDRESS/PREFIX}; empty: any source. */
    public String source = "";
    /** A client source port 0..65535 (per-flow trackers only); -1: any. */
    public int port = -1;
    /** An owner node's MAC or {@code self}; empty: any owner. */
    public String node = "";
    /** At most this many sessions go to the sink (the counts cover every match). */
    public long limit = Long.MAX_VALUE;
    /** Only the sessions of this digest bucket (0..{@link DigestDTO#BUCKETS} - 1); -1: any. @since 1.4 */
    public int bucket = -1;
}
