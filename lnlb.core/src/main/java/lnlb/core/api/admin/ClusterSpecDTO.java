package lnlb.core.api.admin;

/** What {@link ClusterAdmin#create} needs; zero or null members take the defaults. */
public class ClusterSpecDTO {
    /** The cluster IP (required). */
    public String vip;
    /** The real device (required). */
    public String device;
    /** The cluster's name; null or empty = next free {@code nlbN}. */
    public String name;
    /** The link type ({@code linux}, {@code memory}); null = linux. */
    public String linkType;
    /** Milliseconds between heartbeats; 0 = default. */
    public long heartbeatIntervalMillis;
    /** Heartbeats a node may miss; 0 = default. */
    public int tolerance;
    /** Affinity of traffic no port rule matches (source, connection, network); null = source. */
    public String affinity;
    /** Port rules {@code PROTO:PORTS:AFFINITY, ...}; null = none. */
    public String portRules;
}
