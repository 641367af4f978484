package lnlb.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.inject.Inject;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.DigestDTO;
import lnlb.core.api.memory.MemorySegment;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A table of 1,000,000 UDP flows on one in-memory node, listed through the control socket (as
 * lnlbctl reads it) and digested while a client keeps sending: the listing is complete and the
 * digest counts every flow; the loop's stalls meanwhile (timers run 100 ms or more late: the
 * engine's {@code loop.stalls}) and the times are reported (BENCHMARKS.md), not asserted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LookMillionIT extends ItestBase {
    private static final long WAIT_MILLIS = 120_000;
    private static final String NODE = "mil0";
    private static final int VIP_BITS = 10 << 24 | 60;
    private static final int FLOWS = 1_000_000;
    /** Flows sent before waiting for the loop to decide them: the in-memory link's queue is bounded. */
    private static final int BATCH = 5_000;

    @Inject
    private ConfigurationAdmin cm;

    @Inject
    private ClusterAdmin admin;

    @Inject
    private MemorySegment segment;

    @Configuration
    public Option[] config() {
        return new Option[] {base(), reactorBundle("module.udp")};
    }

    @Test
    public void aMillionFlowsAreListedAndDigestedUnderTraffic() throws Exception {
        // flows live an hour here: filling the table may take longer than the default minute
        org.osgi.service.cm.Configuration udp = cm.getConfiguration("lnlb.module.udp", "?");
        udp.update(new Hashtable<>(Map.of("idle.timeout.seconds", 3600L)));
        await("the UDP tracker configured", 20_000, () -> quiet("lnlb:modules").contains("UdpTracker"));
        org.osgi.service.cm.Configuration c = cm.getFactoryConfiguration(ClusterAdmin.CLUSTER_PID, NODE, "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(ClusterAdmin.VIP, "10.0.0.60");
        p.put(ClusterAdmin.DEVICE, "seg9");
        p.put(ClusterAdmin.NAME, NODE);
        p.put(ClusterAdmin.LINK_TARGET, "(lnlb.link.type=memory)");
        p.put(ClusterAdmin.HEARTBEAT_INTERVAL, 100L);
        p.put(ClusterAdmin.TOLERANCE, 20);
        c.update(p);
        await(NODE + " member", 20_000, () -> quiet("lnlb:nodes " + NODE).contains("this node")
                && quiet("lnlb:nodes " + NODE).contains(", member,"));
        await("the UDP tracker serving", 20_000, () -> quiet("lnlb:modules").contains("UdpTracker"));
        long clusterMac = ClientFrames.parseMac(admin.clusters().stream().filter(d -> d.name.equals(NODE)).findFirst()
                .orElseThrow().clusterMac);

        AtomicLong accepted = new AtomicLong();
        MemorySegment.DeliveryListener counting = (name, node, frame) -> accepted.incrementAndGet();
        segment.addListener(counting);
        long t0 = System.nanoTime();
        try (MemorySegment.ClientPort port = segment.attach(0x0200_0000_CC09L)) {
            for (int i = 0; i < FLOWS; i++) {
                // flow i: source 10.(16 + i / 65536).x.y, port 1024 + i % 60000 (all distinct)
                int source = 10 << 24 | (16 + (i >>> 16)) << 16 | (i & 0xFFFF);
                port.transmit(ClientFrames.frame(clusterMac, port.address(), VIP_BITS, ClientFrames.UDP, source,
                        1024 + i % 60_000, 0, i));
                if ((i + 1) % BATCH == 0) {
                    long sent = i + 1;
                    await("flows decided", WAIT_MILLIS, () -> accepted.get() >= sent);
                }
            }
        } finally {
            segment.removeListener(counting);
        }
        long filled = (System.nanoTime() - t0) / 1_000_000;
        await("1,000,000 flows tracked", WAIT_MILLIS, () -> admin.tables(NODE).stream().anyMatch(t -> t.entries == FLOWS));

        Traffic traffic = new Traffic(clusterMac);
        Thread sender = new Thread(traffic, "look-million-client");
        sender.start();
        long stallsBefore;
        long listingMillis;
        long digestMillis;
        long lines;
        DigestDTO digest;
        Map<String, Long> after;
        try {
            Thread.sleep(500); // traffic flowing before the look begins, not a wait for a condition
            stallsBefore = admin.counters(NODE).get("loop.stalls");
            long t = System.nanoTime();
            lines = listedLines("conntrack", NODE);
            listingMillis = (System.nanoTime() - t) / 1_000_000;
            t = System.nanoTime();
            digest = admin.digest(NODE);
            digestMillis = (System.nanoTime() - t) / 1_000_000;
            after = admin.counters(NODE);
        } finally {
            traffic.stopped = true;
            sender.join();
        }
        assertEquals("session lines listed", FLOWS, lines);
        assertTrue("the digest counts every flow: " + digest.entries, digest.entries >= FLOWS);
        System.out.printf("1,000,000 UDP flows on one in-memory node (filled in %d ms): listed through the control socket"
                + " in %d ms, digested in %d ms, while a client sent %d datagrams; loop stalls (timers >= %d ms late)"
                + " meanwhile: %d, the last %d ms; longest lateness since the node started %d ms%n", filled, listingMillis,
                digestMillis, traffic.sent, after.get("loop.stall.threshold.ms"), after.get("loop.stalls") - stallsBefore,
                after.get("loop.stall.last.ms"), after.get("loop.stall.max.ms"));
        run("lnlb:delif " + NODE);
        udp.delete();
    }

    /** Sends UDP datagrams of 100 flows of its own, 1,000 a second, until stopped. */
    private final class Traffic implements Runnable {
        private final long clusterMac;
        volatile boolean stopped;
        volatile long sent;

        Traffic(long clusterMac) {
            this.clusterMac = clusterMac;
        }

        @Override
        public void run() {
            try (MemorySegment.ClientPort port = segment.attach(0x0200_0000_CC0AL)) {
                while (!stopped) {
                    for (int i = 0; i < 10; i++) {
                        port.transmit(ClientFrames.frame(clusterMac, port.address(), VIP_BITS, ClientFrames.UDP,
                                10 << 24 | 99 << 16 | (int) (sent % 100), 5353, 0, 2_000_000 + sent));
                        sent++;
                    }
                    Thread.sleep(10); // the client's pace
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Asks the control socket for {@code words} and counts the session lines of the streamed answer. */
    private static long listedLines(String... words) throws Exception {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(Path.of(SOCKET)));
            StringBuilder request = new StringBuilder();
            for (String w : words) {
                request.append(w).append('\0');
            }
            channel.write(ByteBuffer.wrap(request.toString().getBytes(StandardCharsets.UTF_8)));
            channel.shutdownOutput();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            long lines = 0;
            long bytes = 0;
            boolean ended = false;
            int first = -1;
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (bytes++ == 0) {
                        first = b;
                    }
                    if (b == 0) {
                        ended = true;
                    }
                    if (b == '\n' && !ended) {
                        lines++;
                    }
                }
                buffer.clear();
            }
            assertEquals("a streamed answer", '2', first);
            assertTrue("the answer's end", ended);
            return lines - 2; // the status line and the column header
        }
    }
}
