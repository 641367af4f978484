package lnlb.core.internal.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one cluster's engine has done, as plain counters written only by the cluster's loop (other
 * threads read them through a request to the loop, or accept a slightly stale value).
 */
public final class EngineCounters {
    public long framesIn;
    public long datagrams;
    public long accepted;
    public long notMine;
    public long held;
    public long heldDropped;
    public long buffered;
    public long bufferDropped;
    public long malformedDatagrams;
    public long notForCluster;
    public long arpDelivered;
    public long noModule;
    public long moduleErrors;
    public long deliverErrors;
    public long transmitErrors;
    public long clusterMessages;
    public long rounds;
    public long viewChanges;
    /** The view changes that changed weights only (same members), rate-limited by the coordinator. */
    public long weightViewChanges;
    public long deaths;
    public long joinsServed;
    public long commitAckTimeouts;
    public long swapHeld;
    public long badMessages;
    public long swapDropped;
    /** State hand-overs (saveState of the leaving module and/or loadState of the arriving one). */
    public long swapMoves;
    /** How long the last hand-over's saveState + loadState took, in ms (the loop does nothing else meanwhile). */
    public long swapMoveMillis;
    /** How long the last orphaned protocol held its datagrams, until its module returned or the grace ended, in ms. */
    public long swapHoldMillis;
    /** Cluster messages under this node's own MAC: forged by another host (the links never return a node's own frames). */
    public long forgedOwnMessages;
    /** Datagrams a port rule says {@code drop}: no node answers them. */
    public long ruleDrops;
    /** JOINs refused because the joiner's port rules differ from the view's. */
    public long refusedJoins;
    public final long[] decisionsPerProtocol = new long[256];

    /** Name/value pairs, in a stable order, for status dumps. */
    public Map<String, Long> asMap() {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put("frames.in", framesIn);
        map.put("datagrams", datagrams);
        map.put("accepted", accepted);
        map.put("not.mine", notMine);
        map.put("held", held);
        map.put("held.dropped", heldDropped);
        map.put("buffered", buffered);
        map.put("buffer.dropped", bufferDropped);
        map.put("malformed.datagrams", malformedDatagrams);
        map.put("not.for.cluster", notForCluster);
        map.put("arp.delivered", arpDelivered);
        map.put("no.module", noModule);
        map.put("module.errors", moduleErrors);
        map.put("deliver.errors", deliverErrors);
        map.put("transmit.errors", transmitErrors);
        map.put("cluster.messages", clusterMessages);
        map.put("rounds", rounds);
        map.put("view.changes", viewChanges);
        map.put("view.changes.weight", weightViewChanges);
        map.put("deaths", deaths);
        map.put("joins.served", joinsServed);
        map.put("commit.ack.timeouts", commitAckTimeouts);
        map.put("swap.held", swapHeld);
        map.put("bad.messages", badMessages);
        map.put("swap.dropped", swapDropped);
        map.put("swap.moves", swapMoves);
        map.put("swap.move.ms", swapMoveMillis);
        map.put("swap.hold.ms", swapHoldMillis);
        map.put("forged.own.messages", forgedOwnMessages);
        map.put("rule.drops", ruleDrops);
        map.put("refused.joins", refusedJoins);
        return map;
    }
}
