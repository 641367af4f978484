package lnlb.core.internal.engine;

import java.net.InetAddress;
import lnlb.core.api.NodeAddress;

/**
 * Everything one cluster needs to start, validated once. Times in milliseconds.
 *
 * @param name virtual interface name (e.g. nlb0)
 * @param vip the cluster IP
 * @param device the bound device
 * @param heartbeatIntervalMillis time between heartbeats (sub-second allowed, >= 10)
 * @param tolerance heartbeats a node may miss before it is declared dead (>= 2)
 * @param holdFrames bound of the queue of undecided datagrams
 * @param joinBufferFrames bound of what a joining node records before it holds the state
 * @param swapGraceMillis how long datagrams of a protocol whose module left wait for a module to return
 * @param key the cluster key (hex or base64, >= 16 bytes) authenticating cluster messages, or null
 * @param previousKey the key being rotated out, accepted for {@code previousKeyMillis} after start, or null
 * @param previousKeyMillis how long the previous key stays valid
 * @param quorum the majority rule, on by default: a member of a view of three or more that hears no
 *     majority of it stops accepting and rejoins (a partition then leaves one side serving, not two)
 */
public record ClusterConfig(String name, InetAddress vip, String device, long heartbeatIntervalMillis, int tolerance,
        int holdFrames, int joinBufferFrames, long swapGraceMillis, String key, String previousKey,
        long previousKeyMillis, boolean quorum) {

    /**
     * Long enough for an operator's {@code stop} and then {@code start} of a tracker bundle from a
     * shell, or a slow {@code update}: held datagrams wait (within {@code holdFrames}), and TCP
     * retransmits what the bound sheds, which is better than moving the protocol's sessions.
     */
    public static final long DEFAULT_SWAP_GRACE_MILLIS = 10_000;

    public static final long DEFAULT_INTERVAL_MILLIS = 1000;
    public static final int DEFAULT_TOLERANCE = 10;

    public ClusterConfig {
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
            lnlb.core.internal.wire.MessageAuthenticator.parseKey(key);
        }
        if (previousKey != null) {
            lnlb.core.internal.wire.MessageAuthenticator.parseKey(previousKey);
        }
        if (holdFrames < 1 || joinBufferFrames < 1) {
            throw new IllegalArgumentException("queue bounds must be >= 1");
        }
    }

    public static ClusterConfig of(String name, InetAddress vip, String device, long intervalMillis, int tolerance) {
        return new ClusterConfig(name, vip, device, intervalMillis, tolerance, 4096, 16384, DEFAULT_SWAP_GRACE_MILLIS, null,
                null, 0, true);
    }

    /** The same cluster with message authentication (key rotation: {@code previous} valid for {@code previousMillis}). */
    public ClusterConfig withKeys(String newKey, String previous, long previousMillis) {
        return new ClusterConfig(name, vip, device, heartbeatIntervalMillis, tolerance, holdFrames, joinBufferFrames,
                swapGraceMillis, newKey, previous, previousMillis, quorum);
    }

    /** The same cluster with another grace period for a protocol whose module left. */
    public ClusterConfig withSwapGrace(long graceMillis) {
        return new ClusterConfig(name, vip, device, heartbeatIntervalMillis, tolerance, holdFrames, joinBufferFrames,
                graceMillis, key, previousKey, previousKeyMillis, quorum);
    }

    /** The same cluster with the majority rule on or off (see {@link #quorum}). */
    public ClusterConfig withQuorum(boolean majority) {
        return new ClusterConfig(name, vip, device, heartbeatIntervalMillis, tolerance, holdFrames, joinBufferFrames,
                swapGraceMillis, key, previousKey, previousKeyMillis, majority);
    }

    public long clusterMac() {
        return NodeAddress.unicastClusterMac(vip);
    }

    /** Silence after which a member is declared dead: interval x tolerance, less half an interval of slack for the tick. */
    public long deadAfterMillis() {
        return heartbeatIntervalMillis * tolerance - heartbeatIntervalMillis / 2;
    }
}
