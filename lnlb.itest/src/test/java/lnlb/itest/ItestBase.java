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
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;

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
}
