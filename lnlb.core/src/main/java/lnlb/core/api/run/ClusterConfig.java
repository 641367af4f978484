package lnlb.core.api.run;

import java.net.InetAddress;
import lnlb.core.api.NodeAddress;
import lnlb.core.internal.engine.PortRules;
import lnlb.core.internal.wire.MessageAuthenticator;

/**
 * Everything one node of one cluster needs to start, validated when made. Times in milliseconds.
 *
 * @param name virtual interface name (e.g. nlb0), or null for the link's choice
 * @param vip the cluster IP
 * @param device the bound device
 * @param heartbeatIntervalMillis time between heartbeats (sub-second allowed, >= 10)
 * @param tolerance heartbeats a node may miss before it is declared dead (>= 2)
 * @param holdFrames bound of the queue of undecided datagrams (>= 1)
 * @param joinBufferFrames bound of what a joining node records before it holds the state (>= 1)
 * @param swapGraceMillis how long datagrams of a protocol whose module left wait for a module to return (>= 0)
 * @param key the cluster key (hex or base64, >= 16 bytes) authenticating cluster messages, or null
 * @param previousKey the key being rotated out, accepted for {@code previousKeyMillis} after start, or null
 * @param previousKeyMillis how long the previous key stays valid
 * @param quorum the majority rule, on by default: a member of a view of three or more that hears no
 *     majority of it stops accepting and rejoins (a partition then leaves one side serving, not two)
 * @param weightChangeMillis the least time between a view and a view that changes weights only (the
 *     coordinator waits; joins, deaths and leaves change the view at once), >= 0
 * @param affinity the affinity of traffic no port rule matches: {@code source} (null: the default),
 *     {@code connection} or {@code network}
 * @param portRules the ordered port rules {@code PROTO:PORTS:AFFINITY}, e.g.
 *     {@code tcp:80,443:connection, udp:53:connection}; null or empty: none. Every node must have the
 *     same affinity and rules: a node with others is refused at join
 */
public record ClusterConfig(String name, InetAddress vip, String device, long heartbeatIntervalMillis, int tolerance,
        int holdFrames, int joinBufferFrames, long swapGraceMillis, String key, String previousKey,
        long previousKeyMillis, boolean quorum, long weightChangeMillis, String affinity, String portRules) {

    /** How long the datagrams of a protocol whose tracker left wait for one to return. */
    public static final long DEFAULT_SWAP_GRACE_MILLIS = 10_000;
    public static final long DEFAULT_INTERVAL_MILLIS = 1000;
    public static final int DEFAULT_TOLERANCE = 10;
    public static final int DEFAULT_HOLD_FRAMES = 4096;
    public static final int DEFAULT_JOIN_BUFFER_FRAMES = 16384;
    /** Long enough to restart every node of a cluster one after the other. */
    public static final long DEFAULT_PREVIOUS_KEY_VALID_MILLIS = 600_000;
    /** At most one weight-only view change per 10 s: two kernel load-average updates (issue 16). */
    public static final long DEFAULT_WEIGHT_CHANGE_MILLIS = 10_000;

    /** Validates: an {@link IllegalArgumentException} says what is wrong. The engine takes this record as it is. */
    public ClusterConfig {
        if (vip == null) {
            throw new IllegalArgumentException("vip is required");
        }
        if (heartbeatIntervalMillis < 10) {
            throw new IllegalArgumentException("heartbeat.interval.ms must be >= 10: " + heartbeatIntervalMillis);
        }
        if (tolerance < 2) {
            throw new IllegalArgumentException("tolerance must be >= 2: " + tolerance);
        }
        if (swapGraceMillis < 0) {
            throw new IllegalArgumentException("swap.grace.ms must be >= 0: " + swapGraceMillis);
        }
        if (key == null && previousKey != null) {
            throw new IllegalArgumentException("previous.key needs a key");
        }
        if (key != null) {
            MessageAuthenticator.parseKey(key);
        }
        if (previousKey != null) {
            MessageAuthenticator.parseKey(previousKey);
        }
        if (holdFrames < 1 || joinBufferFrames < 1) {
            throw new IllegalArgumentException("queue bounds must be >= 1");
        }
        if (weightChangeMillis < 0) {
            throw new IllegalArgumentException("weight.change.interval.ms must be >= 0: " + weightChangeMillis);
        }
        PortRules.parse(affinity, portRules);
    }

    /** The 1.1 constructor: the default affinity ({@code source}) and no port rules. */
    public ClusterConfig(String name, InetAddress vip, String device, long heartbeatIntervalMillis, int tolerance,
            int holdFrames, int joinBufferFrames, long swapGraceMillis, String key, String previousKey,
            long previousKeyMillis, boolean quorum, long weightChangeMillis) {
        this(name, vip, device, heartbeatIntervalMillis, tolerance, holdFrames, joinBufferFrames, swapGraceMillis, key,
                previousKey, previousKeyMillis, quorum, weightChangeMillis, null, null);
    }

    /** The same cluster with another default affinity and port rules (see {@link #portRules}). */
    public ClusterConfig withRules(String defaultAffinity, String rules) {
        return new ClusterConfig(name, vip, device, heartbeatIntervalMillis, tolerance, holdFrames, joinBufferFrames,
                swapGraceMillis, key, previousKey, previousKeyMillis, quorum, weightChangeMillis, defaultAffinity, rules);
    }

    /** The affinity and port rules, checked and in their canonical form. */
    public String rulesText() {
        return PortRules.parse(affinity, portRules).text();
    }

    /** The 1.0 constructor: the default {@link #DEFAULT_WEIGHT_CHANGE_MILLIS}. */
    public ClusterConfig(String name, InetAddress vip, String device, long heartbeatIntervalMillis, int tolerance,
            int holdFrames, int joinBufferFrames, long swapGraceMillis, String key, String previousKey,
            long previousKeyMillis, boolean quorum) {
        this(name, vip, device, heartbeatIntervalMillis, tolerance, holdFrames, joinBufferFrames, swapGraceMillis, key,
                previousKey, previousKeyMillis, quorum, DEFAULT_WEIGHT_CHANGE_MILLIS);
    }

    /** The defaults: no key, the majority rule on, the default bounds and swap grace. */
    public static ClusterConfig of(String name, InetAddress vip, String device, long intervalMillis, int tolerance) {
        return new ClusterConfig(name, vip, device, intervalMillis, tolerance, DEFAULT_HOLD_FRAMES,
                DEFAULT_JOIN_BUFFER_FRAMES, DEFAULT_SWAP_GRACE_MILLIS, null, null, 0, true, DEFAULT_WEIGHT_CHANGE_MILLIS);
    }

    /** The defaults, with the default heartbeat interval and tolerance. */
    public static ClusterConfig of(String name, InetAddress vip, String device) {
        return of(name, vip, device, DEFAULT_INTERVAL_MILLIS, DEFAULT_TOLERANCE);
    }

    /** The same cluster with message authentication (key rotation: {@code previous} valid for {@code previousMillis}). */
    public ClusterConfig withKeys(String newKey, String previous, long previousMillis) {
        return new ClusterConfig(name, vip, device, heartbeatIntervalMillis, tolerance, holdFrames, joinBufferFrames,
                swapGraceMillis, newKey, previous, previousMillis, quorum, weightChangeMillis, affinity, portRules);
    }

    /** The same cluster with another grace period for a protocol whose module left. */
    public ClusterConfig withSwapGrace(long graceMillis) {
        return new ClusterConfig(name, vip, device, heartbeatIntervalMillis, tolerance, holdFrames, joinBufferFrames,
                graceMillis, key, previousKey, previousKeyMillis, quorum, weightChangeMillis, affinity, portRules);
    }

    /** The same cluster with the majority rule on or off (see {@link #quorum}). */
    public ClusterConfig withQuorum(boolean majority) {
        return new ClusterConfig(name, vip, device, heartbeatIntervalMillis, tolerance, holdFrames, joinBufferFrames,
                swapGraceMillis, key, previousKey, previousKeyMillis, majority, weightChangeMillis, affinity, portRules);
    }

    /** The same cluster with another least time between weight-only view changes (see {@link #weightChangeMillis}). */
    public ClusterConfig withWeightChangeInterval(long millis) {
        return new ClusterConfig(name, vip, device, heartbeatIntervalMillis, tolerance, holdFrames, joinBufferFrames,
                swapGraceMillis, key, previousKey, previousKeyMillis, quorum, millis, affinity, portRules);
    }

    /** The same cluster with other bounds of the hold queue and of a joining node's recording. */
    public ClusterConfig withBounds(int hold, int joinBuffer) {
        return new ClusterConfig(name, vip, device, heartbeatIntervalMillis, tolerance, hold, joinBuffer,
                swapGraceMillis, key, previousKey, previousKeyMillis, quorum, weightChangeMillis, affinity, portRules);
    }

    /** The cluster MAC every node answers ARP for the VIP with (never a frame source). */
    public long clusterMac() {
        return NodeAddress.unicastClusterMac(vip);
    }

    /** Silence after which a member is declared dead: interval x tolerance, less half an interval of slack for the tick. */
    public long deadAfterMillis() {
        return heartbeatIntervalMillis * tolerance - heartbeatIntervalMillis / 2;
    }

    /** Never shows the keys. */
    @Override
    public String toString() {
        return "ClusterConfig[name=" + name + ", vip=" + vip.getHostAddress() + ", device=" + device + ", interval="
                + heartbeatIntervalMillis + ", tolerance=" + tolerance + ", hold=" + holdFrames + ", joinBuffer="
                + joinBufferFrames + ", swapGrace=" + swapGraceMillis + ", key=" + (key == null ? "none" : "set")
                + ", previousKey=" + (previousKey == null ? "none" : "set for " + previousKeyMillis + " ms")
                + ", quorum=" + quorum + ", weightChange=" + weightChangeMillis + ", rules=" + rulesText() + "]";
    }
}
