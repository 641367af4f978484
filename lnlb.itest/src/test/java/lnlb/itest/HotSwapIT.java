package lnlb.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import javax.inject.Inject;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ModuleDTO;
import lnlb.core.api.admin.TableDTO;
import lnlb.core.api.memory.MemorySegment;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Hot swapping the trackers under traffic (issue 5): three in-memory nodes of one cluster in this
 * framework, the TCP and UDP trackers active, a client sending a steady stream of TCP connections
 * and UDP flows, and the node weights changing all along (every change is a new view, so a tracker
 * that lost its sessions would hand many of them to another node). Meanwhile the TCP bundle is
 * updated, the UDP bundle stopped and started, and a second TCP tracker ranked above the first is
 * registered and unregistered. Then every datagram was accepted by exactly one node, no flow
 * changed owner, the tracker that took over had the sessions of the one before, and the engine
 * counters agree with the client's ledger.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapIT extends ItestBase {
    private static final long WAIT_MILLIS = 20_000;
    private static final List<String> NODES = List.of("hs0", "hs1", "hs2");
    private static final String VIP = "10.0.0.40";
    private static final int VIP_BITS = 10 << 24 | 40;
    private static final int PER_SECOND = 2000;
    private static final int OPEN_FLOWS = 400;
    /** Datagrams between two steps: enough for several views while the flows of before live on. */
    private static final int BETWEEN_STEPS = 3000;
    private static final String TCP_BUNDLE = "lnlb.module.tcp";
    private static final String UDP_BUNDLE = "lnlb.module.udp";

    @Inject
    private ConfigurationAdmin cm;

    @Inject
    private ClusterAdmin admin;

    @Inject
    private MemorySegment segment;

    @Configuration
    public Option[] config() {
        return new Option[] {base(), reactorBundle("module.tcp"), reactorBundle("module.udp")};
    }

    @Test
    public void swappingTrackersUnderTrafficMovesNoFlowAndLosesNothing() throws Exception {
        for (String node : NODES) {
            createMemoryNode(cm, node, VIP, "seg0", Map.of("weight.change.interval.ms", 0L));
        }
        await("three members in one view", WAIT_MILLIS, () -> oneView(admin, NODES));
        await("the TCP and UDP trackers serving", WAIT_MILLIS,
                () -> servedBy(6, TCP_BUNDLE) != null && servedBy(17, UDP_BUNDLE) != null);
        Map<String, Long> countersBefore = totals();

        TrafficLedger ledger = new TrafficLedger(NODES, 400_000);
        segment.addListener(ledger);
        MemorySegment.ClientPort port = segment.attach(0x0200_0000_CC01L);
        ClientTraffic traffic = new ClientTraffic(port, ClientFrames.parseMac(admin.clusters().get(0).clusterMac),
                VIP_BITS, ledger, PER_SECOND, OPEN_FLOWS);
        Thread sender = new Thread(traffic, "hotswap-client");
        WeightChanger weights = new WeightChanger();
        Thread changer = new Thread(weights, "hotswap-weights");
        List<int[]> swaps = new ArrayList<>();
        Map<String, Long> heldInTcpUpdate;
        Map<String, Long> heldInUdpGap;
        Bundle tcp = bundle(TCP_BUNDLE);
        Bundle udp = bundle(UDP_BUNDLE);
        sender.start();
        changer.start();
        try {
            trafficFor(traffic, BETWEEN_STEPS);

            // felix:update of the TCP bundle: its tracker goes, the engine holds protocol 6, the
            // new revision's tracker gets the state and the held datagrams.
            long servedBefore = servedBy(6, TCP_BUNDLE).serviceId;
            int[] entries = entries(6);
            Map<String, Long> heldBefore = counter("swap.held");
            int first = traffic.sent();
            tcp.update();
            await("the updated TCP tracker serving", WAIT_MILLIS,
                    () -> servedBy(6, TCP_BUNDLE) != null && servedBy(6, TCP_BUNDLE).serviceId != servedBefore);
            swaps.add(new int[] {first, traffic.sent()});
            heldInTcpUpdate = difference(heldBefore, counter("swap.held"));
            assertKept("TCP update", entries, entries(6));
            trafficFor(traffic, BETWEEN_STEPS);

            // The UDP bundle stopped until every node held some of its datagrams, then started.
            entries = entries(17);
            heldBefore = counter("swap.held");
            first = traffic.sent();
            udp.stop();
            try {
                Map<String, Long> held = heldBefore;
                await("every node holding UDP datagrams", 1500, () -> grew(held, counter("swap.held")));
            } finally {
                udp.start();
            }
            await("the UDP tracker serving again", WAIT_MILLIS, () -> servedBy(17, UDP_BUNDLE) != null);
            swaps.add(new int[] {first, traffic.sent()});
            heldInUdpGap = difference(heldBefore, counter("swap.held"));
            assertKept("UDP stop/start", entries, entries(17));
            trafficFor(traffic, BETWEEN_STEPS);

            // A second instance of the real TCP tracker, empty, ranked above the first: it serves
            // with the first one's sessions, and hands them back when it goes.
            ProtocolModule second = newTcpTracker(tcp);
            entries = entries(6);
            first = traffic.sent();
            ServiceRegistration<ProtocolModule> ranked = context.registerService(ProtocolModule.class, second,
                    new Hashtable<>(Map.of(ProtocolModule.PROTOCOL, 6, Constants.SERVICE_RANKING, 10)));
            try {
                assertEquals("the ranked tracker serves", 10, servedBy(6, TCP_BUNDLE).ranking);
                swaps.add(new int[] {first, traffic.sent()});
                assertKept("ranked TCP tracker registered", entries, entries(6));
                trafficFor(traffic, BETWEEN_STEPS);
                entries = entries(6);
                first = traffic.sent();
            } finally {
                ranked.unregister();
            }
            assertEquals("the DS tracker serves again", 0, servedBy(6, TCP_BUNDLE).ranking);
            swaps.add(new int[] {first, traffic.sent()});
            assertKept("ranked TCP tracker unregistered", entries, entries(6));
            trafficFor(traffic, BETWEEN_STEPS);
        } finally {
            weights.stop();
            changer.join();
            traffic.stop();
            sender.join();
            port.close();
        }
        int sent = traffic.sent();
        // Not an assertion yet: what is missing after this wait is counted as lost below.
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        while (ledger.accounted(sent) < sent && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        awaitQuiet(ledger);
        segment.removeListener(ledger);

        TrafficLedger.Verdict verdict = ledger.verdict(sent, traffic.flows(), swaps);
        Map<String, Long> counters = difference(countersBefore, totals());
        System.out.println("HotSwapIT: swaps at " + swaps.stream().map(java.util.Arrays::toString).toList() + "; " + verdict + "; swap.held per node in the TCP update " + heldInTcpUpdate
                + ", in the UDP gap " + heldInUdpGap
                + "; engine counters over the run (sum of the nodes) " + counters);

        assertNull("the client failed", traffic.failure());
        assertNull("a weight change failed", weights.failure);
        assertTrue("too little traffic: " + verdict, sent >= 5 * BETWEEN_STEPS);
        assertTrue("the views did not change under the flows: " + counters, counters.get("view.changes") >= 3 * 6);
        assertEquals("node deaths: " + counters, 0, (long) counters.get("deaths"));
        assertEquals("module errors: " + counters, 0, (long) counters.get("module.errors"));
        assertEquals("accepted twice: " + verdict, 0, verdict.doubled());
        assertEquals("flows that changed owner: " + verdict, 0, verdict.moved());
        long dropped = counters.get("swap.dropped") + counters.get("held.dropped");
        assertTrue("lost beyond what the engines counted as dropped: " + verdict + " " + counters,
                verdict.lost() <= dropped);
        assertEquals("dropped from a bounded hold: " + counters, 0, dropped);
        assertEquals("lost: " + verdict, 0, verdict.lost());
        // The engines' own count: every datagram accepted once, nothing else delivered.
        assertEquals("foreign deliveries: " + verdict, 0, verdict.foreign());
        assertEquals("engine 'accepted' vs the ledger: " + counters, (long) sent, (long) counters.get("accepted"));
        assertEquals("deliveries vs the ledger", sent, verdict.deliveries());
        // The engines held what came while a protocol had no tracker (and lost none of it: above),
        // and nothing else: the ranked tracker took over and handed back without a gap.
        long heldInSteps = heldInTcpUpdate.values().stream().mapToLong(Long::longValue).sum()
                + heldInUdpGap.values().stream().mapToLong(Long::longValue).sum();
        assertEquals("swap.held outside the two gaps: " + counters, heldInSteps, (long) counters.get("swap.held"));
        for (String node : NODES) {
            assertTrue("node " + node + " held nothing during the TCP update: " + heldInTcpUpdate,
                    heldInTcpUpdate.get(node) > 0);
            assertTrue("node " + node + " held nothing while UDP had no tracker: " + heldInUdpGap,
                    heldInUdpGap.get(node) > 0);
        }
        for (int crossed : verdict.crossed()) {
            assertTrue("too few flows crossed a swap: " + verdict, crossed >= 100);
        }
    }

    /** Sets random manual weights every 300 ms: each change is a new view. */
    private final class WeightChanger implements Runnable {
        private final Random random = new Random(7);
        private volatile boolean stopped;
        private volatile Exception failure;

        @Override
        public void run() {
            try {
                while (!stopped) {
                    for (String node : NODES) {
                        admin.weight(node, 1 + random.nextInt(9));
                    }
                    Thread.sleep(300); // the pace of the changes, not a wait for anything
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        void stop() {
            stopped = true;
        }
    }


    /** The registration serving {@code protocol}, if it comes from {@code bundle}; else null. */
    private ModuleDTO servedBy(int protocol, String bundle) {
        Predicate<ModuleDTO> serving = m -> m.protocol == protocol && ModuleDTO.SERVING.equals(m.status);
        return admin.modules().stream().filter(serving.and(m -> bundle.equals(m.bundle))).findFirst().orElse(null);
    }

    /** Per node, the sessions of the tracker serving {@code protocol} now. */
    private int[] entries(int protocol) {
        int[] entries = new int[NODES.size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = -1;
            for (TableDTO table : admin.tables(NODES.get(i))) {
                for (int p : table.protocols) {
                    if (p == protocol) {
                        entries[i] = table.entries;
                    }
                }
            }
        }
        return entries;
    }

    /**
     * The new tracker has at least the sessions the old one had (nothing expires during the test,
     * so tables only grow): it got the state, it did not start empty.
     */
    private static void assertKept(String step, int[] before, int[] after) {
        for (int i = 0; i < before.length; i++) {
            assertTrue(step + ": " + NODES.get(i) + " had " + before[i] + " sessions, the new tracker " + after[i],
                    before[i] > 0 && after[i] >= before[i]);
        }
    }

    /** A new instance of the tracker class of {@code tcp}'s current revision, with its default settings. */
    private static ProtocolModule newTcpTracker(Bundle tcp) throws Exception {
        Class<?> timeouts = tcp.loadClass("lnlb.module.tcp.internal.TcpTimeouts");
        Class<?> tracker = tcp.loadClass("lnlb.module.tcp.internal.TcpTracker");
        Object defaults = timeouts.getField("DEFAULTS").get(null);
        return (ProtocolModule) tracker.getConstructor(timeouts, int.class, int.class)
                .newInstance(defaults, 1_000_000, 65_536);
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    private void trafficFor(ClientTraffic traffic, int datagrams) throws InterruptedException {
        int target = traffic.sent() + datagrams;
        await(datagrams + " more datagrams", WAIT_MILLIS, () -> traffic.sent() >= target || traffic.failure() != null);
        assertNull("the client failed", traffic.failure());
    }

    /** Waits until no delivery came for 500 ms: a datagram accepted twice would have shown by then. */
    private static void awaitQuiet(TrafficLedger ledger) throws InterruptedException {
        long last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() - since < 500_000_000L) {
            long now = ledger.deliveries();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            }
            Thread.sleep(20);
        }
    }

    /** Per node, the value of one engine counter. */
    private Map<String, Long> counter(String name) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String node : NODES) {
            values.put(node, admin.counters(node).get(name));
        }
        return values;
    }

    /** Every engine counter, summed over the nodes. */
    private Map<String, Long> totals() {
        Map<String, Long> sums = new LinkedHashMap<>();
        for (String node : NODES) {
            admin.counters(node).forEach((key, value) -> sums.merge(key, value, Long::sum));
        }
        return sums;
    }

    private static boolean grew(Map<String, Long> before, Map<String, Long> now) {
        return before.keySet().stream().allMatch(k -> now.get(k) > before.get(k));
    }

    private static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((key, value) -> d.put(key, value - before.getOrDefault(key, 0L)));
        return d;
    }
}
