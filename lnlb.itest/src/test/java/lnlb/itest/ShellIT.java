package lnlb.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import lnlb.core.api.ProtocolModule;
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

/** The lnlb bundles in Felix, driven through the lnlb:* Gogo commands. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellIT extends ItestBase {
    private static final long WAIT_MILLIS = 10_000;

    @Configuration
    public Option[] config() {
        return new Option[] {base()};
    }

    @Test
    public void everyBundleIsActive() {
        List<String> wrong = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (b.getState() != expected) {
                wrong.add(b.getSymbolicName() + " in state " + b.getState());
            }
        }
        assertEquals("bundles not active", List.of(), wrong);
        List<String> names = Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName).toList();
        assertTrue(names.toString(), names.containsAll(List.of("lnlb.core", "lnlb.module.default", "lnlb.shell")));
    }

    @Test
    public void theDefaultTrackerServesProtocolZero() throws Exception {
        await("the default tracker", WAIT_MILLIS, () -> line(quiet("lnlb:modules"), "DefaultTracker").contains("serving"));
        String line = line(run("lnlb:modules"), "DefaultTracker");
        assertTrue(line, line.startsWith("0 ") && line.contains("lnlb.module.default"));
    }

    @Test
    public void theHighestRankedModuleServes() throws Exception {
        ServiceRegistration<ProtocolModule> first = register(new FakeModule.First(), 6, 0);
        ServiceRegistration<ProtocolModule> second = null;
        try {
            await("First serving 6", WAIT_MILLIS, () -> line(quiet("lnlb:modules"), "FakeModule$First").contains("serving"));

            second = register(new FakeModule.Second(), 6, 10);
            await("Second serving 6", WAIT_MILLIS, () -> line(quiet("lnlb:modules"), "FakeModule$Second").contains("serving"));
            assertTrue(run("lnlb:modules"), line(run("lnlb:modules"), "FakeModule$First").contains("shadowed"));

            // Re-ranking First above Second hands the protocol back.
            first.setProperties(properties(6, 20));
            await("First serving 6 again", WAIT_MILLIS, () -> line(quiet("lnlb:modules"), "FakeModule$First").contains("serving"));
            assertTrue(line(run("lnlb:modules"), "FakeModule$Second").contains("shadowed"));

            first.unregister();
            first = null;
            await("Second serving after First left", WAIT_MILLIS,
                    () -> line(quiet("lnlb:modules"), "FakeModule$Second").contains("serving"));
            assertEquals("", line(run("lnlb:modules"), "FakeModule$First"));
        } finally {
            if (first != null) {
                first.unregister();
            }
            if (second != null) {
                second.unregister();
            }
        }
        await("no module for 6", WAIT_MILLIS, () -> !quiet("lnlb:modules").contains("FakeModule"));
    }

    @Test
    public void aRegistrationWithABadProtocolIsRejected() throws Exception {
        ServiceRegistration<ProtocolModule> bad = register(new FakeModule.First(), 300, 0);
        try {
            await("rejected", WAIT_MILLIS, () -> quiet("lnlb:modules").contains("rejected"));
        } finally {
            bad.unregister();
        }
    }

    @Test
    public void anInMemoryClusterComesUpAndGoes() throws Exception {
        assertEquals("it0: 10.0.0.10 on dev0 (memory link)",
                run("lnlb:addif --memory --interval 100 --tolerance 3 10.0.0.10 dev0 it0"));
        // A lone node founds its cluster after interval x tolerance, then makes itself a member.
        await("it0 member", WAIT_MILLIS, () -> line(quiet("lnlb:nodes it0"), "this node").contains("member"));
        String nodes = run("lnlb:nodes it0");
        assertTrue(nodes, nodes.startsWith("it0: 10.0.0.10 on dev0, member"));
        assertTrue(nodes, line(nodes, "this node").contains("coordinator"));
        assertTrue(run("lnlb:nodes"), run("lnlb:nodes").contains("it0: 10.0.0.10 on dev0, member"));

        assertTrue(run("lnlb:stats it0"), run("lnlb:stats it0").contains("rounds"));
        String tables = run("lnlb:conntrack it0");
        assertTrue(tables, line(tables, "DefaultTracker").matches("0\\s+0\\s+lnlb.module.default.*"));

        assertEquals("it0: weight mode manual", run("lnlb:weightmode it0 manual"));
        assertEquals("it0: weight 7", run("lnlb:weight it0 7"));
        // weight-only views come at most every weight.change.interval.ms (10 s): the weight mode's
        // change of weight may have taken the last one just now
        await("weight 7 in the view", WAIT_MILLIS + 10_000,
                () -> line(quiet("lnlb:nodes it0"), "this node").matches(".*\\s7\\s+\\S+%\\s+member.*"));

        assertEquals("it0: leaving and joining again", run("lnlb:resync it0"));
        await("it0 member again", WAIT_MILLIS, () -> line(quiet("lnlb:nodes it0"), "this node").contains("member"));

        assertEquals("it0: deleted", run("lnlb:delif it0"));
        await("it0 gone", WAIT_MILLIS, () -> !quiet("lnlb:nodes").contains("it0"));
    }

    @Test
    public void statsShowsEveryCounterGroup() throws Exception {
        run("lnlb:addif --memory --interval 100 --tolerance 3 10.0.0.15 dev0 it3");
        try {
            await("it3 member", WAIT_MILLIS, () -> line(quiet("lnlb:nodes it3"), "this node").contains("member"));
            String stats = run("lnlb:stats it3");
            // engine, wire (what README promises), link, loop, JVM
            for (String counter : List.of("frames.in", "rounds", "wire.received", "wire.unauthenticated", "wire.bad.tag",
                    "wire.replayed", "wire.bad.crc", "wire.reassembly.timeouts", "link.received", "link.delivered",
                    "link.transmitted", "loop.stalls", "loop.stall.max.ms", "loop.stall.threshold.ms",
                    "table.protocol.0.clients.entries", "table.protocol.0.clients.max", "table.protocol.0.clients.evictions",
                    "jvm.heap.used.bytes", "jvm.heap.max.bytes", "jvm.gc.count", "jvm.gc.ms")) {
                assertTrue(counter + " in\n" + stats, stats.matches("(?s).*\n  " + java.util.regex.Pattern.quote(counter)
                        + " +-?[0-9,]+(\n.*)?"));
            }
            // The heartbeats it sent went through its link.
            await("it3 transmitted", WAIT_MILLIS, () -> !line(quiet("lnlb:stats it3"), "link.transmitted").endsWith(" 0"));
            assertTrue(run("lnlb:stats"), run("lnlb:stats").contains("wire.bad.tag"));
        } finally {
            run("lnlb:delif it3");
        }
    }

    @Test
    public void addifRefusesAClusterThatCannotStartAndLeavesNothing() throws Exception {
        // This framework has no linux link (lnlb.tap): the cluster could only wait, down.
        assertAnswer("addif: no link provider matches (lnlb.link.type=linux)", "lnlb:addif 10.0.0.16 dev0 it4");
        assertAnswer("addif: no link provider matches (lnlb.link.type=nosuch)", "lnlb:addif --link nosuch 10.0.0.16 dev0 it4");
        assertEquals("nothing configured", List.of(), configurations("it4"));
        assertTrue(run("lnlb:nodes"), !run("lnlb:nodes").contains("it4"));
        // The name is free again.
        assertEquals("it4: 10.0.0.16 on dev0 (memory link)", run("lnlb:addif --memory --interval 100 10.0.0.16 dev0 it4"));
        run("lnlb:delif it4");
    }

    private List<String> configurations(String name) throws Exception {
        org.osgi.service.cm.ConfigurationAdmin cm = context.getService(
                context.getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class));
        org.osgi.service.cm.Configuration[] found = cm.listConfigurations("(name=" + name + ")");
        return found == null ? List.of() : Arrays.stream(found).map(org.osgi.service.cm.Configuration::getPid).toList();
    }

    @Test
    public void badArgumentsGetOneLineAnswers() throws Exception {
        assertAnswer("addif: vip must be an IP address: 10.0.0.300", "lnlb:addif --memory 10.0.0.300 dev0");
        assertAnswer("addif: heartbeat interval must be >= 10 ms: 5", "lnlb:addif --memory --interval 5 10.0.0.11 dev0");
        assertAnswer("addif: interval must be a number: x", "lnlb:addif --memory --interval x 10.0.0.11 dev0");
        assertAnswer("addif: tolerance must be >= 2: 1", "lnlb:addif --memory --tolerance 1 10.0.0.11 dev0");
        assertAnswer("addif: name must be an interface name", "lnlb:addif --memory 10.0.0.11 dev0 this-name-is-far-too-long");
        assertAnswer("delif: no cluster nosuch is configured", "lnlb:delif nosuch");
        assertAnswer("resync: no cluster nosuch is configured", "lnlb:resync nosuch");
        assertAnswer("nodes: no cluster nosuch", "lnlb:nodes nosuch");
        assertAnswer("stats: no cluster nosuch is running", "lnlb:stats nosuch");
        assertAnswer("conntrack: no cluster nosuch is running", "lnlb:conntrack nosuch");
        assertAnswer("weightmode: weight.mode must be equal, loadavg, loadavg5, loadavg15, freemem or manual: fast",
                "lnlb:weightmode nosuch fast");
        assertAnswer("weight: weight must be a number: heavy", "lnlb:weight nosuch heavy");
        assertAnswer("weight: weight must be 1..1000000: 0", "lnlb:weight nosuch 0");
        assertAnswer("weight: no cluster nosuch is running", "lnlb:weight nosuch 5");

        run("lnlb:addif --memory --interval 100 --tolerance 3 10.0.0.12 dev0 it1");
        try {
            assertAnswer("addif: a cluster named it1 exists already", "lnlb:addif --memory 10.0.0.13 dev0 it1");
            assertAnswer("addif: it1 already balances 10.0.0.12 on dev0", "lnlb:addif --memory 10.0.0.12 dev0");
            await("it1 running", WAIT_MILLIS, () -> quiet("lnlb:nodes it1").contains("this node"));
            assertAnswer("weight: it1 is in weight mode equal; set weight mode manual first", "lnlb:weight it1 5");
        } finally {
            run("lnlb:delif it1");
        }
    }

    private void assertAnswer(String expectedStart, String line) throws Exception {
        String answer = run(line);
        assertTrue(line + " answered: " + answer, answer.startsWith(expectedStart) && !answer.contains("\n"));
    }

    private ServiceRegistration<ProtocolModule> register(ProtocolModule module, int protocol, int ranking) {
        return context.registerService(ProtocolModule.class, module, properties(protocol, ranking));
    }

    private static Dictionary<String, Object> properties(int protocol, int ranking) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(ProtocolModule.PROTOCOL, protocol);
        p.put(Constants.SERVICE_RANKING, ranking);
        return p;
    }

    /** The first line of {@code text} that contains {@code marker}, trimmed, or empty. */
    private static String line(String text, String marker) {
        for (String l : text.split("\n")) {
            if (l.contains(marker)) {
                return l.trim();
            }
        }
        return "";
    }
}
