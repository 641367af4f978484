package lnlb.core.api.admin;

/** One cluster as this node sees it. */
public class ClusterDTO {
    /** The cluster's name (also its virtual interface's name). */
    public String name;
    /** The PID of its factory configuration. */
    public String pid;
    /** The cluster IP. */
    public String vip;
    /** The real device. */
    public String device;
    /** The cluster MAC, {@code xx:xx:xx:xx:xx:xx}. */
    public String clusterMac;
    /** This node's MAC on the cluster. */
    public String localNode;
    /** This node's state: joining, syncing, observer, member or stopped. */
    public String state;
    /** The epoch of the current view; 0 before the first. */
    public long epoch;
    /** How many nodes the current view holds. */
    public int members;
    /** The MAC of the coordinator, or empty when there is none. */
    public String coordinator;
    /** How this node computes its weight. */
    public String weightMode;
    /** This node's weight now. */
    public int weight;
    /** Milliseconds between heartbeats. */
    public long heartbeatIntervalMillis;
    /** Heartbeats a node may miss. */
    public int tolerance;
    /**
     * The file that declares the cluster (FileInstall, {@code etc/lnlb.cluster-NAME.cfg}), or empty
     * when it was configured through {@link ClusterAdmin#create} or ConfigAdmin. A declared
     * cluster changes with its file: {@code delete} refuses it, and weight changes last until the
     * runtime restarts.
     */
    public String source;
    /** The port rules of the current view, canonical: the default affinity, then each rule ({@code source; tcp:80:connection}). */
    public String rules;
    /** CRC-32 of {@link #rules}, 8 hex digits: what nodes compare at join. */
    public String rulesDigest;
    /** This node's own rules (its configuration); they differ from {@link #rules} until its coordinator has them too. */
    public String ownRules;
    /** Why the cluster refuses this node (its rules differ from the view's), or empty. */
    public String refusal;
    /** Whether this node asks to drain. */
    public boolean draining;
}
