package lnlb.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.memory.MemorySegment;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The look inside, in the framework (issue 17): three in-memory nodes of one cluster with the TCP
 * and UDP trackers; a client opens 64 TCP connections (SYN, ACK) and 64 UDP flows; then {@code lnlb:owner} on
 * every node names the node that accepted each flow, {@code lnlb:conntrack --source} lists it with
 * that owner on every node, and {@code lnlb:conntrack --digest} (with its buckets) is the same on
 * every node.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LookIT extends ItestBase {
    private static final long WAIT_MILLIS = 20_000;
    private static final List<String> NODES = List.of("lk0", "lk1", "lk2");
    private static final String VIP = "10.0.0.50";
    private static final int VIP_BITS = 10 << 24 | 50;
    private static final int FLOWS = 64;
    private static final int SOURCE = 10 << 24 | 9 << 16 | 1 << 8 | 1; // flow i from 10.9.1.(1 + i)
    private static final Pattern OWNER = Pattern.compile("(?m)^lk\\d: (\\S+) -> ([0-9a-f:]{17})( \\(this node\\))?, by (session|hash)");

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
    public void everyNodeNamesTheSameOwnerListsTheSameSessionsAndShowsTheSameDigest() throws Exception {
        for (String node : NODES) {
            createMemoryNode(cm, node, VIP, "seg1", Map.of());
        }
        await("three members in one view", WAIT_MILLIS, () -> oneView(admin, NODES));
        await("the TCP and UDP trackers serving", WAIT_MILLIS,
                () -> quiet("lnlb:modules").contains("TcpTracker") && quiet("lnlb:modules").contains("UdpTracker"));

        // who accepted which datagram: id -> the accepting node's MAC
        Map<Long, Long> accepted = new ConcurrentHashMap<>();
        MemorySegment.DeliveryListener listener = (name, node, frame) -> {
            long id = ClientFrames.id(frame);
            if (id != ClientFrames.NO_ID) {
                accepted.merge(id, node, (a, b) -> a.equals(b) ? a : NodeAddress.NONE); // twice: never
            }
        };
        segment.addListener(listener);
        long clusterMac = ClientFrames.parseMac(admin.clusters().get(0).clusterMac);
        try (MemorySegment.ClientPort port = segment.attach(0x0200_0000_CC02L)) {
            for (int i = 0; i < FLOWS; i++) {
                port.transmit(ClientFrames.frame(clusterMac, port.address(), VIP_BITS, ClientFrames.TCP, SOURCE + i, 40_000 + i,
                        0x02, i)); // SYN
                port.transmit(ClientFrames.frame(clusterMac, port.address(), VIP_BITS, ClientFrames.TCP, SOURCE + i, 40_000 + i,
                        0x10, 2 * FLOWS + i)); // ACK: established, so it outlives the test
                port.transmit(ClientFrames.frame(clusterMac, port.address(), VIP_BITS, ClientFrames.UDP, SOURCE + i, 50_000 + i,
                        0, FLOWS + i));
            }
        } finally {
            await("every datagram accepted", WAIT_MILLIS, () -> accepted.size() == 3 * FLOWS);
            segment.removeListener(listener);
        }
        assertTrue("a datagram accepted twice: " + accepted, !accepted.containsValue(NodeAddress.NONE));
        assertEquals("the flows spread over the nodes", 3, new HashSet<>(accepted.values()).size());

        for (String node : NODES) {
            for (int i = 0; i < FLOWS; i++) {
                String client = dotted(SOURCE + i);
                assertOwner(node, client + ":" + (40_000 + i), accepted.get((long) i),
                        run("lnlb:owner " + node + " " + client + " " + (40_000 + i) + " tcp"));
                assertOwner(node, client + ":" + (50_000 + i), accepted.get((long) (FLOWS + i)),
                        run("lnlb:owner " + node + " " + client + " " + (50_000 + i) + " udp"));
            }
        }

        Set<String> firstListing = null;
        for (String node : NODES) {
            String listing = printed("lnlb:conntrack " + node + " --source 10.9.1.0/24");
            Set<String> sessions = new HashSet<>();
            for (String line : listing.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && (f[0].equals("6") || f[0].equals("17")) && f[1].matches("\\d+(\\.\\d+){3}")) {
                    sessions.add(f[0] + " " + f[1] + " " + f[2] + " " + f[3]);
                }
            }
            for (int i = 0; i < FLOWS; i++) {
                String client = dotted(SOURCE + i);
                assertTrue(node + " lists " + client + " tcp with its owner:\n" + listing,
                        sessions.contains("6 " + client + " " + (40_000 + i) + " " + NodeAddress.format(accepted.get((long) i))));
                assertTrue(node + " lists " + client + " udp with its owner:\n" + listing, sessions.contains(
                        "17 " + client + " " + (50_000 + i) + " " + NodeAddress.format(accepted.get((long) (FLOWS + i)))));
            }
            // affinity source (the default): each tracker also keeps one entry per client, on the flow's node
            for (int i = 0; i < FLOWS; i++) {
                String client = dotted(SOURCE + i);
                assertTrue(node + " lists client " + client + " tcp on its flow's node:\n" + listing,
                        sessions.contains("6 " + client + " - " + NodeAddress.format(accepted.get((long) i))));
                assertTrue(node + " lists client " + client + " udp on its flow's node:\n" + listing,
                        sessions.contains("17 " + client + " - " + NodeAddress.format(accepted.get((long) (FLOWS + i)))));
            }
            assertEquals(node + "'s listing: " + listing, 4 * FLOWS, sessions.size());
            assertTrue(listing, listing.contains(node + ": " + 4 * FLOWS + " session(s) matched, " + 4 * FLOWS + " listed"));
            if (firstListing != null) {
                assertEquals("the same sessions on " + node, firstListing, sessions);
            }
            firstListing = sessions;
        }

        String digest = run("lnlb:conntrack lk0 --digest --buckets");
        assertTrue(digest, digest.startsWith("lk0: digest ") && digest.contains(" of " + 4 * FLOWS + " sessions, epoch "));
        assertEquals(digest, 256, digest.split("\n  bucket ", -1).length - 1);
        for (String node : List.of("lk1", "lk2")) {
            assertEquals("the digest of " + node, digest.substring(3), run("lnlb:conntrack " + node + " --digest --buckets").substring(3));
        }
        // one bucket's sessions, sorted, without times: the same text on every node
        Matcher bucket = Pattern.compile("\n  bucket ([0-9a-f]{2}) [0-9a-f]{16} +[1-9]").matcher(digest);
        assertTrue(digest, bucket.find());
        String one = printed("lnlb:conntrack lk0 --bucket " + bucket.group(1));
        assertTrue(one, one.startsWith("PROTO SOURCE") && one.contains("lk0: bucket " + bucket.group(1) + ": "));
        assertEquals(one.substring(one.indexOf('\n')).replace("lk0:", "lkN:"),
                printed("lnlb:conntrack lk2 --bucket " + bucket.group(1)).substring(one.indexOf('\n')).replace("lk2:", "lkN:"));

        // A listing longer than 64 KiB reaches lnlbctl as a stream: '2', the lines, NUL, status, answer.
        int more = 1_200;
        Map<Long, Long> acceptedMore = new ConcurrentHashMap<>();
        MemorySegment.DeliveryListener counting = (name, node, frame) -> {
            long id = ClientFrames.id(frame);
            if (id >= 10_000) {
                acceptedMore.put(id, node);
            }
        };
        segment.addListener(counting);
        try (MemorySegment.ClientPort port = segment.attach(0x0200_0000_CC03L)) {
            for (int i = 0; i < more; i++) {
                int source = 10 << 24 | 9 << 16 | (2 + i / 200) << 8 | (1 + i % 200);
                port.transmit(ClientFrames.frame(clusterMac, port.address(), VIP_BITS, ClientFrames.UDP, source, 60_000,
                        0, 10_000 + i));
            }
        } finally {
            await("every datagram accepted", WAIT_MILLIS, () -> acceptedMore.size() == more);
            segment.removeListener(counting);
        }
        String raw = ask("conntrack", "lk1");
        int nul = raw.indexOf('\0');
        assertTrue(raw.substring(0, Math.min(200, raw.length())), raw.startsWith("2\n") && nul > 0);
        long lines = raw.substring(2, nul).lines().filter(l -> l.matches("(6|17) +\\d+(\\.\\d+){3} .*")).count();
        int total = 4 * FLOWS + 2 * more; // flows and, under affinity source, one entry per client
        assertEquals(total, lines);
        assertTrue(raw.substring(nul), raw.substring(nul + 1).startsWith("0\nPROTOCOLS")
                && raw.contains("lk1: " + total + " session(s) matched, " + total + " listed"));

        for (String node : NODES) {
            run("lnlb:delif " + node);
        }
    }

    /** One request to the control socket, as lnlbctl sends it; the raw answer. */
    private static String ask(String... words) throws Exception {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(Path.of(SOCKET)));
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            for (String w : words) {
                request.write(w.getBytes(StandardCharsets.UTF_8));
                request.write(0);
            }
            channel.write(ByteBuffer.wrap(request.toByteArray()));
            channel.shutdownOutput();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                answer.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private static void assertOwner(String node, String flow, long acceptedBy, String answer) {
        Matcher m = OWNER.matcher(answer);
        assertTrue(answer, m.find());
        assertEquals(answer, flow, m.group(1));
        assertEquals(node + ": the owner of " + flow + ": " + answer, NodeAddress.format(acceptedBy), m.group(2));
        assertEquals(answer, "session", m.group(4));
        // the deciding entry is shown: under affinity source, the client's own (no port)
        String client = flow.substring(0, flow.indexOf(':'));
        assertTrue(answer, answer.contains("\n  session " + client + " "));
    }

    /** What a command printed and then returned (conntrack prints its sessions as they come). */
    private String printed(String line) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = commands.createSession(new ByteArrayInputStream(new byte[0]), print, print);
        try {
            Object result = session.execute(line);
            print.flush();
            return out.toString(StandardCharsets.UTF_8) + (result == null ? "" : result.toString());
        } finally {
            session.close();
        }
    }

    private static String dotted(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 0xFF) + "." + (a >>> 8 & 0xFF) + "." + (a & 0xFF);
    }

}
