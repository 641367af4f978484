package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
 * Port rules and affinity (issue 13) in a three-node cluster with the default, TCP and UDP
 * trackers: what each affinity does with a client's connections, drop rules, a node whose rules
 * differ, and rules changed live under load while nodes join and die: no datagram accepted twice,
 * no established connection moved.
 */
class AffinityTest {
    static final long INTERVAL = 50;
    static final int TOLERANCE = 3;
    static final int SYN = Datagram.TCP_SYN;
    static final int ACK = Datagram.TCP_ACK;
    static final long MAC = 0x0200_0000_0000L;

    final SimulatedCluster sim = new SimulatedCluster(INTERVAL, TOLERANCE, 1);


    List<SimNode> cluster(ClusterConfig config, int size) {
        List<SimNode> nodes = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            nodes.add(sim.startWithTrackers(config, MAC + i * 3, 1));
        }
        assertTrue(sim.runUntil(() -> sim.converged(config) && nodes.get(0).engine().view().size() == size, 60_000),
                "the cluster did not form");
        return nodes;
    }

    /** Opens a connection (SYN) and returns the node that took it (exactly one). */
    long connect(ClusterConfig config, int source, int port, int destination) {
        long seq = sim.sendTcp(config, source, port, destination, SYN);
        sim.run(5);
        List<Long> by = sim.acceptedBy(seq);
        assertEquals(1, by.size(), "SYN from " + source + ":" + port + " accepted by " + by);
        return by.get(0);
    }

    static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    @Test
    void byDefaultEveryConnectionOfAClientLandsOnOneNode() {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        cluster(config, 3);
        Set<Long> nodesUsed = new HashSet<>();
        for (int client = 1; client <= 30; client++) {
            int source = ip(10, 1, client, 7);
            Set<Long> owners = new HashSet<>();
            for (int port = 40000; port < 40010; port++) {
                owners.add(connect(config, source, port, port % 2 == 0 ? 5201 : 80));
            }
            owners.add(acceptedOnce(sim.sendUdp(config, source, 5000, 5201)));
            assertEquals(1, owners.size(), "client " + client + " spread over " + owners);
            nodesUsed.addAll(owners);
        }
        assertEquals(3, nodesUsed.size(), "clients use every node");
    }

    @Test
    void connectionAffinitySpreadsOneClientWhileItsOtherPortsKeepSource() {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10").withRules("source", "tcp:80:connection");
        List<SimNode> nodes = cluster(config, 3);
        int source = ip(10, 1, 1, 1);
        Map<Long, Integer> perNode = new HashMap<>();
        for (int port = 20000; port < 20600; port++) {
            perNode.merge(connect(config, source, port, 80), 1, Integer::sum);
        }
        for (SimNode node : nodes) {
            Ledger.assertShare(perNode.getOrDefault(node.mac(), 0), 600, 1 / 3.0, 0.2, NodeAddress.format(node.mac()));
        }
        Set<Long> iperf = new HashSet<>();
        for (int port = 30000; port < 30010; port++) {
            iperf.add(connect(config, source, port, 5201));
        }
        assertEquals(1, iperf.size(), "port 5201 (no rule: source) keeps the client on one node");
    }

    @Test
    void networkAffinityKeepsASlash24Together() {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10").withRules("network", null);
        cluster(config, 3);
        Set<Long> networks = new HashSet<>();
        for (int net = 1; net <= 30; net++) {
            Set<Long> owners = new HashSet<>();
            for (int host = 1; host <= 20; host++) {
                owners.add(connect(config, ip(10, 2, net, host), 40000 + host, 80));
            }
            assertEquals(1, owners.size(), "network " + net + " spread over " + owners);
            networks.addAll(owners);
        }
        assertEquals(3, networks.size(), "networks use every node");
    }

    @Test
    void aDropRuleAnswersNothingAndAUdpRuleSpreadsFlows() {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10").withRules("source", "udp:53:connection, tcp:23:drop");
        List<SimNode> nodes = cluster(config, 3);
        long dropped = sim.sendTcp(config, ip(10, 1, 1, 1), 40000, 23, SYN);
        sim.run(5);
        assertEquals(List.of(), sim.acceptedBy(dropped), "port 23 is dropped by every node");
        for (SimNode node : nodes) {
            assertEquals(1L, node.engine().counters().engine("rule.drops"));
        }
        Set<Long> flows = new HashSet<>();
        for (int port = 1000; port < 1060; port++) {
            flows.add(acceptedOnce(sim.sendUdp(config, ip(10, 1, 1, 1), port, 53)));
        }
        assertEquals(3, flows.size(), "one client's DNS flows spread");
        Set<Long> other = new HashSet<>();
        for (int port = 1000; port < 1060; port++) {
            other.add(acceptedOnce(sim.sendUdp(config, ip(10, 1, 1, 1), port, 54)));
        }
        assertEquals(1, other.size(), "UDP to another port keeps the client");
    }

    @Test
    void aNodeWithOtherRulesIsRefusedUntilItHasTheSame() {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10").withRules("source", "tcp:80:connection");
        cluster(config, 2);
        SimNode stranger = sim.startWithTrackers(config.withRules("connection", null), MAC + 99, 1);
        sim.run(INTERVAL * TOLERANCE * 10);
        assertEquals(NodeState.JOINING, stranger.engine().state());
        assertNotNull(stranger.engine().refusal());
        assertTrue(stranger.engine().refusal().contains("port rules"), stranger.engine().refusal());
        assertEquals(2, sim.nodes().get(0).engine().view().size());
        assertTrue(sim.nodes().get(0).engine().counters().engine("refused.joins") > 0);
        stranger.engine().rules("source", "tcp:80:connection");
        assertTrue(sim.runUntil(() -> stranger.engine().state() == NodeState.MEMBER
                && sim.nodes().get(0).engine().view().size() == 3, 60_000), "it joins once its rules agree");
        assertNull(stranger.engine().refusal());
    }

    /**
     * The rules change on every node (in random order, so the coordinator switches first or last)
     * while connections open and carry segments, nodes join and crash. Every datagram is accepted
     * at most once, and by exactly one node unless its owner crashed; an established connection
     * whose owner lives is never accepted by another node.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void rulesChangedLiveMoveNothing(long seed) {
        Random random = new Random(seed);
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        List<SimNode> nodes = cluster(config, 3);
        String[][] ruleSets = {
            {"source", ""}, {"source", "tcp:80:connection"}, {"connection", "tcp:5201:source"},
            {"network", "udp:*:connection"}, {"source", "tcp:80,443:connection, udp:53:connection"},
        };
        Map<Long, long[]> connections = new HashMap<>(); // key -> {source, port, destination, owner}
        Map<Long, Long> segmentOf = new HashMap<>();     // seq -> connection key
        List<Long> sent = new ArrayList<>();
        Set<Long> crashed = new HashSet<>();
        int[] destinations = {80, 443, 5201};
        for (int ms = 0; ms < 4000; ms++) {
            int source = ip(10, 3, random.nextInt(8), random.nextInt(40));
            int port = 20000 + random.nextInt(2000);
            int destination = destinations[random.nextInt(destinations.length)];
            long key = (long) source << 32 | (long) port << 16 | destination;
            boolean known = connections.containsKey(key);
            long seq = sim.sendTcp(config, source, port, destination, known ? ACK : SYN);
            connections.putIfAbsent(key, new long[] {source, port, destination, NodeAddress.NONE});
            segmentOf.put(seq, key);
            sent.add(seq);
            sent.add(sim.sendUdp(config, source, 5000 + random.nextInt(50), random.nextBoolean() ? 53 : 5353));
            if (ms % 300 == 150) {
                String[] rules = ruleSets[random.nextInt(ruleSets.length)];
                List<SimNode> order = new ArrayList<>(running(nodes));
                java.util.Collections.shuffle(order, random);
                for (SimNode node : order) {
                    node.engine().rules(rules[0], rules[1]);
                    sim.run(random.nextInt(3));
                }
            }
            if (ms == 1200) {
                nodes.add(sim.startWithTrackers(config, MAC + 50, 1));
            }
            if (ms == 2500) {
                SimNode victim = running(nodes).get(1 + random.nextInt(running(nodes).size() - 1));
                crashed.add(victim.mac());
                victim.crash();
            }
            sim.run(1);
        }
        sim.run(INTERVAL * TOLERANCE * 3);
        int twice = 0;
        int none = 0;
        int moved = 0;
        for (long seq : sent) {
            List<Long> by = sim.acceptedBy(seq);
            if (by.size() > 1) {
                twice++;
            } else if (by.isEmpty()) {
                none++;
            } else if (segmentOf.containsKey(seq)) {
                long[] connection = connections.get(segmentOf.get(seq));
                if (connection[3] == NodeAddress.NONE || crashed.contains(connection[3])) {
                    connection[3] = by.get(0);
                } else if (connection[3] != by.get(0)) {
                    moved++;
                }
            }
        }
        assertEquals(0, twice, "datagrams accepted twice");
        assertEquals(0, moved, "segments of an established connection accepted by another node");
        assertTrue(none < sent.size() / 20, none + " of " + sent.size() + " datagrams accepted by nobody");
    }

    long acceptedOnce(long seq) {
        sim.run(5);
        List<Long> by = sim.acceptedBy(seq);
        assertEquals(1, by.size(), "datagram " + seq + " accepted by " + by);
        return by.get(0);
    }

    static List<SimNode> running(List<SimNode> nodes) {
        return nodes.stream().filter(SimNode::running).toList();
    }
}
