package lnlb.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Dictionary;
import java.util.Hashtable;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The control socket lnlbctl talks to, and clusters as configurations: weight changes saved and
 * applied live, other changes restarting the cluster, a refused configuration leaving nothing
 * half-started.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ControlIT extends ItestBase {
    private static final long WAIT_MILLIS = 10_000;

    @Inject
    private ConfigurationAdmin cm;

    @Configuration
    public Option[] config() {
        return new Option[] {base()};
    }

    @Test
    public void theSocketIsRootsOnly() throws Exception {
        Path socket = Path.of(SOCKET);
        await("the control socket", WAIT_MILLIS, () -> Files.exists(socket));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
    }

    @Test
    public void oneCommandPerConnection() throws Exception {
        assertEquals("0\nctl0: 10.0.0.30 on dev0 (memory link)",
                ask("addif", "--memory", "-i", "100", "-t", "3", "10.0.0.30", "dev0", "ctl0"));
        try {
            await("ctl0 member", WAIT_MILLIS, () -> quietAsk("nodes", "ctl0").contains("member"));
            assertTrue(ask("nodes").startsWith("0\n"));
            assertEquals("1\nweight: weight must be 1..1000000: 0", ask("weight", "ctl0", "0"));
            assertEquals("1\nweight: ctl0 is in weight mode equal; set weight mode manual first", ask("weight", "ctl0", "5"));
            assertEquals("1\nno command nosuch (lnlbctl --help lists them)", ask("nosuch"));
            assertEquals("1\naddif: wrong arguments (lnlbctl help lnlb:addif explains them)", ask("addif", "1", "2", "3", "4"));
            // Words with spaces and quotes reach the command as they were.
            assertEquals("1\ndelif: no cluster it's a b is configured", ask("delif", "it's a b"));
            assertEquals("1\nno command", ask());
            // Any Gogo command, scoped or not.
            assertTrue(ask("lnlb:modules").contains("DefaultTracker"));
            // Watch mode: every sample, the last one as the answer.
            String watched = ask("stats", "-w", "1", "-c", "2", "ctl0");
            assertTrue(watched, watched.startsWith("0\nctl0 after 1 s:\n") && watched.contains("\nctl0 after 2 s:\n"));
            assertEquals("1\nstats: count must be 1..100000: 0", ask("stats", "-w", "1", "-c", "0", "ctl0"));
        } finally {
            assertEquals("0\nctl0: deleted", ask("delif", "ctl0"));
        }
    }

    @Test
    public void weightChangesAreSavedAndApplyLive() throws Exception {
        run("lnlb:addif --memory --interval 100 --tolerance 3 10.0.0.31 dev0 ctl1");
        try {
            await("ctl1 member", WAIT_MILLIS, () -> line(quiet("lnlb:nodes ctl1"), "this node").contains("member"));
            String mac = line(run("lnlb:nodes ctl1"), "this node").split("\\s+")[0];
            assertEquals("ctl1: weight mode manual", run("lnlb:weightmode ctl1 manual"));
            assertEquals("ctl1: weight 9", run("lnlb:weight ctl1 9"));
            org.osgi.service.cm.Configuration c = cm.getConfiguration("lnlb.cluster~ctl1", "?");
            await("weight 9 saved", WAIT_MILLIS, () -> "9".equals(String.valueOf(c.getProperties().get("weight"))));
            assertEquals("manual", c.getProperties().get("weight.mode"));

            // Changed in the configuration: applied without a restart (the node keeps its link, so its MAC).
            Dictionary<String, Object> p = c.getProperties();
            p.put("weight", 11);
            c.update(p);
            // A second weight-only view within weight.change.interval.ms (10 s) of the first waits for it.
            await("weight 11 in the view", WAIT_MILLIS + 10_000,
                    () -> line(quiet("lnlb:nodes ctl1"), "this node").matches(".*\\s11\\s+\\S+%\\s+member.*"));
            assertEquals(mac, line(run("lnlb:nodes ctl1"), "this node").split("\\s+")[0]);

            // Any other change restarts the cluster: a new link (a new MAC on the in-memory hub).
            p = c.getProperties();
            p.put("tolerance", 4);
            c.update(p);
            await("ctl1 restarted", WAIT_MILLIS, () -> quiet("lnlb:nodes ctl1").contains("this node")
                    && !line(quiet("lnlb:nodes ctl1"), "this node").startsWith(mac));
            await("ctl1 member again", WAIT_MILLIS, () -> line(quiet("lnlb:nodes ctl1"), "this node").contains("member"));
            assertTrue(run("lnlb:nodes ctl1"), line(run("lnlb:nodes ctl1"), "this node").matches(".*\\s11\\s+\\S+%\\s+member.*"));
        } finally {
            run("lnlb:delif ctl1");
        }
    }

    @Test
    public void aRefusedConfigurationStartsNothing() throws Exception {
        org.osgi.service.cm.Configuration bad = cm.getFactoryConfiguration("lnlb.cluster", "ctl2", "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("vip", "10.0.0.300");
        p.put("device", "dev0");
        p.put("link.target", "(lnlb.link.type=memory)");
        bad.update(p);
        try {
            // nodes names the reason of the last start attempt, not a guess.
            await("ctl2 down with its reason", WAIT_MILLIS, () -> line(quiet("lnlb:nodes"), "ctl2")
                    .equals("ctl2: 10.0.0.300 on dev0, down (vip must be an IP address: 10.0.0.300)"));
            assertEquals("0\nctl2: 10.0.0.300 on dev0, down (vip must be an IP address: 10.0.0.300)", ask("nodes", "ctl2"));
            assertEquals("1\nstats: no cluster ctl2 is running", ask("stats", "ctl2"));
            assertFalse(run("lnlb:stats"), run("lnlb:stats").contains("ctl2"));
        } finally {
            bad.delete();
        }
    }

    @Test
    public void aClusterWithoutItsLinkProviderSaysWhichItWaitsFor() throws Exception {
        org.osgi.service.cm.Configuration waiting = cm.getFactoryConfiguration("lnlb.cluster", "ctl4", "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("vip", "10.0.0.44");
        p.put("device", "dev0"); // no link.target: the linux link, which this framework does not have
        waiting.update(p);
        try {
            await("ctl4 down, naming the linux link", WAIT_MILLIS,
                    () -> line(quiet("lnlb:nodes"), "ctl4").contains("no link provider matches (lnlb.link.type=linux)"));
        } finally {
            waiting.delete();
        }
    }

    @Test
    public void theClusterKeyComesFromTheConfigurationAndStaysThere() throws Exception {
        org.osgi.service.cm.Configuration keyed = cm.getFactoryConfiguration("lnlb.cluster", "ctl3", "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("vip", "10.0.0.33");
        p.put("device", "dev0");
        p.put("heartbeat.interval.ms", 100L);
        p.put("tolerance", 3);
        p.put("link.target", "(lnlb.link.type=memory)");
        p.put("key", "not a key");
        keyed.update(p);
        try {
            await("ctl3 down for its key", WAIT_MILLIS, () -> line(quiet("lnlb:nodes"), "ctl3").contains("down (cluster key"));

            p.put("key", "00112233445566778899aabbccddeeff");
            keyed.update(p);
            // The fixed configuration starts it: no restart of the runtime needed.
            await("ctl3 member with its key", WAIT_MILLIS, () -> line(quiet("lnlb:nodes ctl3"), "this node").contains("member"));
            // The key is not a service property of the running cluster (any bundle could read it there).
            org.osgi.framework.ServiceReference<?>[] running = context.getAllServiceReferences(
                    "lnlb.core.api.run.ClusterInfo", "(service.pid=lnlb.cluster~ctl3)");
            assertEquals(1, running.length);
            assertEquals("10.0.0.33", running[0].getProperty("vip"));
            assertEquals(null, running[0].getProperty("key"));
        } finally {
            keyed.delete();
        }
    }

    /** One lnlbctl request, as lnlbctl sends it: the answer as text (status, newline, output). */
    private static String ask(String... words) throws Exception {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(Path.of(SOCKET)));
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            for (String w : words) {
                request.writeBytes(w.getBytes(StandardCharsets.UTF_8));
                request.write(0);
            }
            channel.write(ByteBuffer.wrap(request.toByteArray()));
            channel.shutdownOutput();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (channel.read(buffer) >= 0) {
                answer.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return answer.toString(StandardCharsets.UTF_8).stripTrailing();
        }
    }

    private static String quietAsk(String... words) {
        try {
            return ask(words);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static String line(String text, String marker) {
        for (String l : text.split("\n")) {
            if (l.contains(marker)) {
                return l.trim();
            }
        }
        return "";
    }
}
