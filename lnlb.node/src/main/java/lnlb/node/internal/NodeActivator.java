package lnlb.node.internal;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the runtime jar a node that runs under systemd or in a script as well as at a prompt.
 *
 * <p>It starts at start level 10, before FileInstall (20) and Gogo's shell (100), and sets the
 * properties they read when they start, as system properties, so that a value given on the
 * command line or in {@code bnd.bndrun} always wins:
 * <ul>
 * <li>{@code gosh.args}: without a console (no terminal on stdin and stdout, or
 * {@code -Dlnlb.console=false}) Gogo's shell is started with {@code --nointeractive}, so the
 * framework keeps running instead of stopping at the end of stdin;</li>
 * <li>{@code felix.fileinstall.dir}: {@code -Dlnlb.etc=DIR}, or {@code etc/} beside the runtime
 * jar, is where clusters are declared as {@code lnlb.cluster-NAME.cfg} files.</li>
 * </ul>
 * It prints the OSGi Log Service on stderr ({@link ConsoleLog}; level {@code lnlb.log.level}) and,
 * when the framework reaches its start level, logs how long the node took to get there.
 */
public final class NodeActivator implements BundleActivator, FrameworkListener {
    /** auto (the default: a prompt when there is a terminal), true (always a prompt) or false (never). */
    static final String CONSOLE = "lnlb.console";
    /** The directory of the {@code *.cfg} files; default: {@code etc} beside the runtime jar. */
    static final String ETC = "lnlb.etc";
    static final String GOSH_ARGS = "gosh.args";
    static final String FILEINSTALL_DIR = "felix.fileinstall.dir";

    private static final long STOP_WAIT_MILLIS = 15_000;
    static final String SLF4J_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    private final AtomicBoolean reported = new AtomicBoolean();
    private BundleContext context;
    private String mode = "";
    private ConsoleLog console;
    private Logger log;

    @Override
    public void start(BundleContext context) {
        this.context = context;
        // One level for both consoles: slf4j-simple (lnlb's own lines) reads its level when the
        // first logger is made, just below (start level 5: no other logger exists yet).
        String level = context.getProperty(ConsoleLog.LEVEL);
        if (level != null && !level.isBlank() && System.getProperty(SLF4J_LEVEL) == null) {
            System.setProperty(SLF4J_LEVEL, level.trim().toLowerCase(java.util.Locale.ROOT));
        }
        // The first logger fixes slf4j-simple's settings, and with cacheOutputStream its stream:
        // made here, before Gogo's runtime (10) puts its per-session streams in System.err.
        log = LoggerFactory.getLogger(NodeActivator.class);
        console = new ConsoleLog(ConsoleLog.level(level), System.err);
        console.open(context);
        boolean console = console(context.getProperty(CONSOLE), System.console() != null);
        mode = console ? "console" : "service mode (no console; administer with lnlbctl)";
        if (context.getProperty(GOSH_ARGS) == null && !console) {
            System.setProperty(GOSH_ARGS, "--nointeractive");
        }
        if (context.getProperty(FILEINSTALL_DIR) == null) {
            File etc = etcDirectory(context.getProperty(ETC), System.getProperty("java.class.path"));
            if (etc != null) {
                System.setProperty(FILEINSTALL_DIR, etc.getAbsolutePath());
            }
        }
        context.addFrameworkListener(this);
        Runtime.getRuntime().addShutdownHook(shutdown);
    }

    /**
     * SIGTERM (systemd's stop, kill) ends the JVM without stopping the framework: the clusters
     * would vanish without a LEAVE and the control socket would stay behind. This hook stops the
     * framework first and waits for it (bounded), as Gogo's {@code stop 0} would.
     */
    private final Thread shutdown = new Thread(() -> {
        Bundle system = context.getBundle(0);
        try {
            system.stop();
            if (system instanceof Framework framework) {
                framework.waitForStop(STOP_WAIT_MILLIS);
            }
        } catch (BundleException | InterruptedException | IllegalStateException e) {
            // stopping already, or not allowed to wait longer: the JVM goes down anyway
        }
    }, "lnlb-shutdown");

    @Override
    public void stop(BundleContext context) {
        context.removeFrameworkListener(this);
        console.close();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdown);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: this stop comes from the hook
        }
    }

    /** The launcher moves the framework to its start level once every bundle is installed: then the node is ready. */
    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() != FrameworkEvent.STARTLEVEL_CHANGED && event.getType() != FrameworkEvent.STARTED) {
            return;
        }
        FrameworkStartLevel level = context.getBundle(0).adapt(FrameworkStartLevel.class);
        if (reported.compareAndSet(false, true)) {
            long millis = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            String etc = context.getProperty(FILEINSTALL_DIR);
            log.info("lnlb node ready in {} ms (JVM start to start level {}), {}, clusters from {}{}", millis,
                    level.getStartLevel(), mode, etc == null ? "ConfigAdmin only" : etc + " and ConfigAdmin",
                    ", configuration kept in " + context.getProperty("felix.cm.dir"));
        }
    }

    /** Whether Gogo's shell gets a prompt: {@code lnlb.console} true/false, or auto = there is a terminal. */
    static boolean console(String setting, boolean terminal) {
        if (setting == null || setting.isBlank() || setting.trim().equalsIgnoreCase("auto")) {
            return terminal;
        }
        return Boolean.parseBoolean(setting.trim());
    }

    /**
     * The directory FileInstall watches: {@code lnlb.etc} if set, else {@code etc} beside the jar
     * the JVM was started with ({@code java -jar lnlb.jar}: the class path is that jar), else none.
     */
    static File etcDirectory(String etc, String classPath) {
        if (etc != null && !etc.isBlank()) {
            return new File(etc.trim());
        }
        if (classPath == null || classPath.isBlank() || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
            return null;
        }
        File jar = new File(classPath).getAbsoluteFile();
        return new File(jar.getParentFile(), "etc");
    }

}
