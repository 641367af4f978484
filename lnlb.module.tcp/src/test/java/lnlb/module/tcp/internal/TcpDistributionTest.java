package lnlb.module.tcp.internal;

import lnlb.core.testing.Packets;
import lnlb.core.testing.Nodes;

import static lnlb.core.testing.Packets.ACK;
import static lnlb.core.testing.Packets.SYN;
import static lnlb.core.testing.Packets.tcp4;
import static lnlb.core.testing.Packets.tcp6;
import static lnlb.core.testing.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import lnlb.core.api.Datagram;
import org.junit.jupiter.api.Test;

/**
 * The distribution requirement: 3,000 connections from ONE client address to a 3-node
 * cluster give each node its share within ±15 %. The owners come from the engine's own cut table
 * ({@code View.table().ownerOfKey(assignmentKey)}), on three trackers that must agree.
 */
class TcpDistributionTest {
    private static final int CONNECTIONS = 3_000;
    private static final int CLIENT = v4(203, 0, 113, 50);

    @Test
    void consecutivePortsFromOneClientSpreadOverThreeNodes() {
        int[] ports = new int[CONNECTIONS];
        for (int i = 0; i < CONNECTIONS; i++) {
            ports[i] = 32768 + i;
        }
        spreads(ports, port -> tcp4(CLIENT, port, SYN), port -> tcp4(CLIENT, port, ACK));
    }

    @Test
    void randomPortsFromOneClientSpreadOverThreeNodes() {
        Set<Integer> chosen = new LinkedHashSet<>();
        Random random = new Random(42);
        while (chosen.size() < CONNECTIONS) {
            chosen.add(32768 + random.nextInt(61000 - 32768)); // Linux's ip_local_port_range
        }
        spreads(chosen.stream().mapToInt(Integer::intValue).toArray(),
                port -> tcp4(CLIENT, port, SYN), port -> tcp4(CLIENT, port, ACK));
    }

    @Test
    void portsFromOneIpv6ClientSpreadOverThreeNodes() {
        int[] ports = new int[CONNECTIONS];
        for (int i = 0; i < CONNECTIONS; i++) {
            ports[i] = 32768 + i;
        }
        spreads(ports, port -> tcp6(0x50, port, SYN), port -> tcp6(0x50, port, ACK));
    }

    @Test
    void theSourceAloneWouldPutThemAllOnOneNode() {
        Nodes<TcpTracker> nodes = new Nodes<>(() -> new TcpTracker(TcpTimeouts.DEFAULTS, 10_000, 100), 0);
        long first = nodes.view.table().ownerOfKey(tcp4(CLIENT, 32768, SYN).sourceKey());
        for (int port = 32768; port < 32768 + 100; port++) {
            assertEquals(first, nodes.view.table().ownerOfKey(tcp4(CLIENT, port, SYN).sourceKey()));
        }
    }

    private static void spreads(int[] ports, IntFunction<Datagram> syn, IntFunction<Datagram> ack) {
        Nodes<TcpTracker> nodes = new Nodes<>(() -> new TcpTracker(TcpTimeouts.DEFAULTS, 10_000, 100), 0);
        Map<Long, Integer> perNode = new HashMap<>();
        long[] owners = new long[ports.length];
        for (int i = 0; i < ports.length; i++) {
            owners[i] = nodes.decide(syn.apply(ports[i]));
            perNode.merge(owners[i], 1, Integer::sum);
        }
        assertEquals(3, perNode.size(), "every node gets connections: " + perNode);
        double share = ports.length / 3.0;
        for (Map.Entry<Long, Integer> e : perNode.entrySet()) {
            double deviation = Math.abs(e.getValue() - share) / share;
            assertTrue(deviation <= 0.15, "node share " + e.getValue() + " of " + ports.length + ": " + perNode);
        }
        for (int i = 0; i < ports.length; i++) {
            nodes.advance(1);
            assertEquals(owners[i], nodes.decide(ack.apply(ports[i])), "port " + ports[i] + " keeps its owner");
        }
        for (int n = 0; n < 3; n++) {
            assertEquals(ports.length, nodes.tracker(n).entries(nodes.cluster(n)));
        }
        nodes.assertSameTables();
    }
}
