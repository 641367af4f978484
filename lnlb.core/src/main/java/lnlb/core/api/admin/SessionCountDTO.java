package lnlb.core.api.admin;

import java.util.Map;

/** What a {@link ClusterAdmin#sessions} listing found. @since 1.3 */
public class SessionCountDTO {
    /** Live sessions that matched the query. */
    public long matched;
    /** Of those, the ones handed to the sink (at most the query's limit). */
    public long listed;
    /** Matches per owner node MAC, sorted by MAC. */
    public Map<String, Long> perOwner;
    /** The view epoch when the listing ended. */
    public long epoch;
    /** Loop turns the listing took (one bounded slice each). */
    public long slices;
}
