package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.NodeState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Drain (issue 13): a draining node takes no new session on any node's decision and keeps those it
 * has; with leave it goes once they are over (or at the timeout); drains racing joins, deaths and
 * other view changes keep every datagram with exactly one owner.
 */
class DrainTest {
    static final int SYN = Datagram.TCP_SYN;
    static final int ACK = Datagram.TCP_ACK;
    static final int RST = Datagram.TCP_RST;

    final AffinityTest helper = new AffinityTest();
    final SimulatedCluster sim = helper.sim;

    /** Opens {@code count} connections to port 80 from distinct clients; returns source port -> owner. */
    Map<Integer, Long> open(ClusterConfig config, int firstPort, int count) {
        Map<Integer, Long> owners = new HashMap<>();
        for (int port = firstPort; port < firstPort + count; port++) {
            owners.put(port, helper.connect(config, AffinityTest.ip(10, 4, port % 250, 1), port, 80));
        }
        return owners;
    }

    void assertOwners(ClusterConfig config, Map<Integer, Long> owners) {
        owners.forEach((port, owner) -> assertEquals(owner,
                helper.acceptedOnce(sim.sendTcp(config, AffinityTest.ip(10, 4, port % 250, 1), port, 80, ACK)),
                "connection " + port + " moved"));
    }

    boolean everyViewDrains(long node, boolean draining) {
        return sim.nodes().stream().filter(SimNode::running)
                .allMatch(n -> n.engine().view().isDraining(node) == draining);
    }

    @Test
    void aDrainingNodeTakesNoNewSessionAndKeepsItsOwnUntilUndrained() {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10").withRules("source", "tcp:80:connection");
        List<SimNode> nodes = helper.cluster(config, 3);
        SimNode drained = nodes.get(1);
        Map<Integer, Long> before = open(config, 20000, 300);
        long kept = before.values().stream().filter(owner -> owner == drained.mac()).count();
        assertTrue(kept > 50, "the node to drain has connections: " + kept);

        drained.engine().drain(true);
        assertTrue(sim.runUntil(() -> everyViewDrains(drained.mac(), true), 10_000), "the view carries the drain");
        assertEquals(0.0, nodes.get(0).engine().view().share(drained.mac()));
        assertEquals(kept, nodes.get(0).engine().sessionsOf(drained.mac()), "its sessions, as every node counts them");
        assertOwners(config, before);
        Map<Integer, Long> during = open(config, 30000, 300);
        assertTrue(!during.containsValue(drained.mac()), "a new connection went to the draining node");
        Set<Long> clients = new HashSet<>();
        for (int client = 1; client <= 100; client++) {
            clients.add(helper.connect(config, AffinityTest.ip(10, 5, client, 1), 40000, 5201));
        }
        assertTrue(!clients.contains(drained.mac()), "a new client went to the draining node");
        assertOwners(config, before);

        drained.engine().drain(false);
        assertTrue(sim.runUntil(() -> everyViewDrains(drained.mac(), false), 10_000), "the drain ends in the view");
        Map<Integer, Long> after = open(config, 40000, 300);
        long share = after.values().stream().filter(owner -> owner == drained.mac()).count();
        assertTrue(share > 60 && share < 140, "undrained, it takes its third again: " + share + " of 300");
    }

    /**
     * Under source affinity a client of the draining node keeps its established connections there
     * and opens its new ones elsewhere (then stays there): no new session on the draining node.
     */
    @Test
    void underSourceAffinityAClientOfADrainingNodeMovesItsNewConnections() {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        List<SimNode> nodes = helper.cluster(config, 3);
        SimNode drained = nodes.get(0);
        Map<Integer, Long> clients = new HashMap<>();
        for (int client = 1; client <= 60; client++) {
            clients.put(client, helper.connect(config, AffinityTest.ip(10, 7, client, 1), 40000, 5201));
        }
        List<Integer> ofDrained = clients.keySet().stream().filter(c -> clients.get(c) == drained.mac()).toList();
        assertTrue(ofDrained.size() > 5, "clients of the node to drain: " + ofDrained.size());
        drained.engine().drain(true);
        assertTrue(sim.runUntil(() -> everyViewDrains(drained.mac(), true), 10_000), "the view carries the drain");
        for (int client : ofDrained) {
            int source = AffinityTest.ip(10, 7, client, 1);
            assertEquals(drained.mac(), helper.acceptedOnce(sim.sendTcp(config, source, 40000, 5201, ACK)),
                    "client " + client + "'s established connection stays");
            long moved = helper.connect(config, source, 40001, 5201);
            assertNotEquals(drained.mac(), moved, "client " + client + "'s new connection went to the draining node");
            assertEquals(moved, helper.connect(config, source, 40002, 5201), "the client stays with its new node");
        }
    }

    /**
     * Known clients (source affinity) open new connections every millisecond while nodes drain and
     * undrain every 40 ms: a new connection of a draining node's client goes elsewhere, and the
     * ones that race a drain's view change must still get exactly one owner.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void knownClientsRacingDrainsGetOneOwner(long seed) {
        Random random = new Random(seed);
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        List<SimNode> nodes = helper.cluster(config, 3);
        List<Long> sent = new ArrayList<>();
        int port = 10000;
        for (int ms = 0; ms < 3000; ms++) {
            for (int k = 0; k < 8; k++) {
                sent.add(sim.sendTcp(config, AffinityTest.ip(10, 8, 1, random.nextInt(30)), port++, 5201, SYN));
            }
            if (ms % 40 == 10) {
                SimNode node = nodes.get(random.nextInt(nodes.size()));
                node.engine().drain(!node.engine().draining());
            }
            sim.run(1);
        }
        sim.run(AffinityTest.INTERVAL * AffinityTest.TOLERANCE * 3);
        long twice = sent.stream().filter(seq -> sim.acceptedBy(seq).size() > 1).count();
        long none = sent.stream().filter(seq -> sim.acceptedBy(seq).isEmpty()).count();
        assertEquals(0, twice, "new connections of known clients accepted twice");
        assertEquals(0, none, "new connections of known clients accepted by nobody");
    }

    @Test
    void drainWithLeaveLeavesOnceItsSessionsAreOver() {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10").withRules("source", "tcp:80:connection");
        List<SimNode> nodes = helper.cluster(config, 3);
        SimNode drained = nodes.get(2);
        Map<Integer, Long> before = open(config, 20000, 200);
        drained.engine().drain(true, true, 0);
        sim.run(5_000);
        assertEquals(NodeState.MEMBER, drained.engine().state(), "it stays while it owns sessions");
        assertOwners(config, before);
        before.forEach((port, owner) -> sim.sendTcp(config, AffinityTest.ip(10, 4, port % 250, 1), port, 80, RST));
        assertTrue(sim.runUntil(() -> drained.engine().state() == NodeState.STOPPED, 60_000),
                "it leaves once its connections are reset and expired");
        assertTrue(sim.runUntil(() -> nodes.get(0).engine().view().size() == 2, 10_000), "the others go on without it");
    }

    @Test
    void drainWithLeaveLeavesAtTheTimeout() {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10").withRules("source", "tcp:80:connection");
        List<SimNode> nodes = helper.cluster(config, 3);
        SimNode drained = nodes.get(2);
        open(config, 20000, 200);
        long start = sim.time().nowMillis();
        drained.engine().drain(true, true, 3_000);
        assertTrue(sim.runUntil(() -> drained.engine().state() == NodeState.STOPPED, 20_000), "it leaves at the timeout");
        long took = sim.time().nowMillis() - start;
        assertTrue(took >= 3_000 && took < 3_000 + 2 * AffinityTest.INTERVAL, "left after " + took + " ms");
    }

    /**
     * Nodes drain and undrain at random while connections open and carry segments, a node joins
     * and one crashes: no datagram is accepted twice, no established connection moves while its
     * owner lives, and once the drains settle no new connection goes to a draining node.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void drainsRacingViewChangesKeepOneOwner(long seed) {
        Random random = new Random(seed);
        ClusterConfig config = sim.config("nlb0", "10.0.0.10").withRules("source", "tcp:80:connection");
        List<SimNode> nodes = helper.cluster(config, 4);
        Map<Long, long[]> connections = new HashMap<>();
        Map<Long, Long> segmentOf = new HashMap<>();
        List<Long> sent = new ArrayList<>();
        Set<Long> crashed = new HashSet<>();
        for (int ms = 0; ms < 4000; ms++) {
            int source = AffinityTest.ip(10, 6, random.nextInt(16), random.nextInt(60));
            int port = 20000 + random.nextInt(1000);
            int destination = random.nextInt(3) == 0 ? 5201 : 80;
            long key = (long) source << 32 | (long) port << 16 | destination;
            boolean known = connections.containsKey(key);
            long seq = sim.sendTcp(config, source, port, destination, known ? ACK : SYN);
            connections.putIfAbsent(key, new long[] {NodeAddress.NONE});
            segmentOf.put(seq, key);
            sent.add(seq);
            if (ms % 170 == 20) {
                List<SimNode> live = AffinityTest.running(nodes);
                SimNode node = live.get(random.nextInt(live.size()));
                node.engine().drain(!node.engine().draining());
            }
            if (ms == 1300) {
                nodes.add(sim.startWithTrackers(config, AffinityTest.MAC + 60, 1));
            }
            if (ms == 2700) {
                SimNode victim = AffinityTest.running(nodes).get(1);
                crashed.add(victim.mac());
                victim.crash();
            }
            sim.run(1);
        }
        sim.run(AffinityTest.INTERVAL * AffinityTest.TOLERANCE * 3);
        int twice = 0;
        int none = 0;
        int moved = 0;
        for (long seq : sent) {
            List<Long> by = sim.acceptedBy(seq);
            if (by.size() > 1) {
                twice++;
            } else if (by.isEmpty()) {
                none++;
            } else {
                long[] owner = connections.get(segmentOf.get(seq));
                if (owner[0] == NodeAddress.NONE || crashed.contains(owner[0])) {
                    owner[0] = by.get(0);
                } else if (owner[0] != by.get(0)) {
                    moved++;
                }
            }
        }
        assertEquals(0, twice, "datagrams accepted twice");
        assertEquals(0, moved, "segments of an established connection accepted by another node");
        assertTrue(none < sent.size() / 20, none + " of " + sent.size() + " datagrams accepted by nobody");

        List<SimNode> live = AffinityTest.running(nodes);
        live.forEach(n -> n.engine().drain(false));
        SimNode drained = live.get(live.size() - 1);
        drained.engine().drain(true);
        assertTrue(sim.runUntil(() -> everyViewDrains(drained.mac(), true) && live.stream()
                .allMatch(n -> n == drained || !n.engine().view().isDraining(n.mac())), 10_000), "the drains settle");
        Map<Integer, Long> fresh = open(config, 50000, 200);
        assertTrue(!fresh.containsValue(drained.mac()), "a new connection went to the draining node");
    }
}
