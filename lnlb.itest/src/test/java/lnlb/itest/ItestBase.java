package lnlb.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterDTO;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The framework every test class runs in (felix-dev's BaseTest shape): the lnlb bundles as the
 * reactor built them, SCR, ConfigAdmin and Gogo's runtime; Pax Exam's own helpers come offline
 * from the local Maven repository.
 */
public abstract class ItestBase {
    @Inject
    protected BundleContext context;

    @Inject
    protected CommandProcessor commands;

    /** The control socket of the framework under test (short: UNIX socket paths end at 108 bytes). */
    protected static final String SOCKET = System.getProperty("java.io.tmpdir") + "/lnlb-itest-" + ProcessHandle.current().pid()
            + "/lnlb.sock";

    protected static Option base() {
        return composite(
                systemProperty("pax.exam.osgi.unresolved.fail").value("true"),
                systemProperty("org.ops4j.pax.url.mvn.offline").value("true"),
                systemProperty("org.ops4j.pax.url.mvn.localRepository").value(property("org.ops4j.pax.url.mvn.localRepository")),
                systemProperty("org.ops4j.pax.url.mvn.repositories").value(""),
                systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("warn"),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                // A fresh ConfigAdmin store per run: clusters of an earlier run must not come back.
                frameworkProperty("felix.cm.dir").value(new File("target/itest-config-" + System.nanoTime()).getAbsolutePath()),
                // The control socket in a directory of this run, never /run/lnlb (a real node may own it).
                frameworkProperty("lnlb.socket").value(SOCKET),
                reactorBundle("slf4j.api"),
                reactorBundle("slf4j.simple"),
                reactorBundle("function"),
                reactorBundle("promise"),
                reactorBundle("component"),
                reactorBundle("scr"),
                reactorBundle("configadmin"),
                reactorBundle("gogo.runtime"),
                reactorBundle("core"),
                reactorBundle("module.default"),
                reactorBundle("shell"),
                junitBundles());
    }

    /** One of the bundles named {@code lnlb.bundle.NAME} in the failsafe configuration. */
    protected static org.ops4j.pax.exam.options.UrlProvisionOption reactorBundle(String name) {
        return bundle(new File(property("lnlb.bundle." + name)).toURI().toString());
    }

    private static String property(String key) {
        String value = System.getProperty(key);
        if (value == null || value.startsWith("${")) {
            throw new IllegalStateException(key + " is not set: run the tests with ./mvnw verify");
        }
        return value;
    }

    /**
     * Runs one Gogo command line and returns what it returned, as text. What it printed is left
     * out: Gogo hands the session System.out, which loggers print to.
     */
    protected String run(String line) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = commands.createSession(new ByteArrayInputStream(new byte[0]), print, print);
        try {
            Object result = session.execute(line);
            return result == null ? "" : result.toString();
        } finally {
            session.close();
        }
    }

    /** Polls {@code condition} every 20 ms until it holds; fails with {@code what} after {@code millis}. */
    protected static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + millis + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** {@link #run} for use inside {@link #await}. */
    protected String quiet(String line) {
        try {
            return run(line);
        } catch (Exception e) {
            return e.toString();
        }
    }

    /**
     * Declares node {@code name} of an in-memory cluster on {@code device}: heartbeat 100 ms,
     * tolerance 20 (2 s: a loaded machine must not kill nodes mid-test), manual weight 1, then
     * {@code extra} settings.
     */
    protected static void createMemoryNode(ConfigurationAdmin cm, String name, String vip, String device,
            Map<String, Object> extra) throws Exception {
        org.osgi.service.cm.Configuration c = cm.getFactoryConfiguration(ClusterAdmin.CLUSTER_PID, name, "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(ClusterAdmin.VIP, vip);
        p.put(ClusterAdmin.DEVICE, device);
        p.put(ClusterAdmin.NAME, name);
        p.put(ClusterAdmin.LINK_TARGET, "(lnlb.link.type=memory)");
        p.put(ClusterAdmin.HEARTBEAT_INTERVAL, 100L);
        p.put(ClusterAdmin.TOLERANCE, 20);
        p.put(ClusterAdmin.WEIGHT_MODE, "manual");
        p.put(ClusterAdmin.WEIGHT, 1);
        p.putAll(extra);
        c.update(p);
    }

    /** True when the clusters {@code names} are all members of one view holding exactly them. */
    protected static boolean oneView(ClusterAdmin admin, List<String> names) {
        List<ClusterDTO> clusters = new ArrayList<>(admin.clusters());
        clusters.removeIf(c -> !names.contains(c.name));
        return clusters.size() == names.size()
                && clusters.stream().allMatch(c -> "member".equals(c.state) && c.members == names.size())
                && clusters.stream().mapToLong(c -> c.epoch).distinct().count() == 1;
    }
}
