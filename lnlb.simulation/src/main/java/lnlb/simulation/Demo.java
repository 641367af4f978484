package lnlb.simulation;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.run.ClusterConfig;

/**
 * The simulation demo: three nodes share 10.0.0.10 on an in-memory hub (in virtual time), twelve
 * clients send datagrams, a node crashes and its clients fail over, a fourth node joins. Prints who
 * served whom at each step.
 */
public final class Demo {
    private static final long INTERVAL = 200;
    private static final int TOLERANCE = 5;
    private static final int CLIENTS = 12;

    private final PrintStream out;
    private final SimulatedCluster sim = new SimulatedCluster(INTERVAL, TOLERANCE, 1);
    private final ClusterConfig config = sim.config("nlb0", "10.0.0.10");

    Demo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        new Demo(System.out).run();
    }

    void run() {
        out.printf("lnlb simulation: cluster IP %s, cluster MAC %s, heartbeat %d ms, tolerance %d%n",
                config.vip().getHostAddress(), NodeAddress.format(config.clusterMac()), INTERVAL, TOLERANCE);
        for (int i = 1; i <= 3; i++) {
            SimNode node = sim.startAndJoin(config, 0x5254_0000_0000L + i, 1);
            out.printf("t=%6d ms  node %s joined: %s%n", elapsed(), name(node.mac()), node.engine().view());
        }
        Map<Integer, Long> before = serve("3 nodes");
        SimNode victim = sim.nodes().get(1);
        long crashedAt = sim.time().nowMillis();
        victim.crash();
        out.printf("t=%6d ms  node %s crashes (no LEAVE)%n", elapsed(), name(victim.mac()));
        SimNode survivor = sim.nodes().get(0);
        sim.runUntil(() -> !survivor.engine().view().contains(victim.mac()), INTERVAL * TOLERANCE * 2);
        out.printf("t=%6d ms  declared dead after %d ms (limit: interval x tolerance = %d ms): %s%n", elapsed(),
                sim.time().nowMillis() - crashedAt, INTERVAL * TOLERANCE, survivor.engine().view());
        Map<Integer, Long> after = serve("after the crash");
        int moved = 0;
        int kept = 0;
        for (Map.Entry<Integer, Long> entry : before.entrySet()) {
            if (entry.getValue() == victim.mac()) {
                moved++;
            } else if (entry.getValue().equals(after.get(entry.getKey()))) {
                kept++;
            }
        }
        out.printf("           %d clients of the dead node moved; %d of the others kept their node%n", moved, kept);
        SimNode joiner = sim.startAndJoin(config, 0x5254_0000_0000L + 4, 1);
        out.printf("t=%6d ms  node %s joined with the tracking state: %s%n", elapsed(), name(joiner.mac()),
                joiner.engine().view());
        serve("after the join (known clients stay, new ones spread)");
        serveNew("new clients");
        out.println("done");
    }

    private Map<Integer, Long> serve(String title) {
        return print(title, new Ledger(0x0A00_0100));
    }

    private Map<Integer, Long> serveNew(String title) {
        return print(title, new Ledger(0x0A00_0200));
    }

    private Map<Integer, Long> print(String title, Ledger ledger) {
        Map<Integer, Long> owners = ledger.round();
        out.printf("t=%6d ms  %s:%n", elapsed(), title);
        Map<Long, StringBuilder> byNode = new TreeMap<>();
        owners.forEach((client, node) -> byNode.computeIfAbsent(node, n -> new StringBuilder())
                .append(' ').append(clientName(client)));
        byNode.forEach((node, clients) -> out.printf("             %s served%s%n", name(node), clients));
        return owners;
    }

    private long elapsed() {
        return sim.time().nowMillis() - 1_000_000;
    }

    private static String name(long mac) {
        return mac == NodeAddress.NONE ? "nobody" : "node-" + (mac & 0xFF);
    }

    private static String clientName(int address) {
        return "10.0." + ((address >> 8) & 0xFF) + "." + (address & 0xFF);
    }

    /** One datagram per client; who accepted it (exactly one node, or the demo fails loudly). */
    private final class Ledger {
        private final int first;

        Ledger(int first) {
            this.first = first;
        }

        Map<Integer, Long> round() {
            Map<Integer, Long> sequences = new TreeMap<>();
            for (int i = 0; i < CLIENTS; i++) {
                sequences.put(first + i, sim.sendUdp(config, first + i, 5000));
            }
            sim.run(10);
            Map<Integer, Long> owners = new TreeMap<>();
            sequences.forEach((client, seq) -> {
                var by = sim.acceptedBy(seq);
                if (by.size() != 1) {
                    throw new IllegalStateException("datagram from " + clientName(client) + " accepted by " + by.size() + " nodes");
                }
                owners.put(client, by.get(0));
            });
            return owners;
        }
    }
}
