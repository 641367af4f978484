package lnlb.node.internal;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Map;
import java.util.function.Consumer;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.log.LogLevel;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the runtime jar a node that runs under systemd or in a script as well as at a prompt.
 *
 * <p>It starts at start level 10, before FileInstall (20) and Gogo's shell (100), and sets the
 * properties they read when they start, as system properties, so that a value given on the
 * command line or in {@code bnd.bndrun} always wins:
 * <ul>
 * <li>{@code gosh.args}: Gogo's shell is started with {@code --nointeractive}, so the framework
 * keeps running instead of stopping at the end of stdin; with a console (a terminal on stdin and
 * stdout, or {@code -Dlnlb.console=true}) {@code lnlb.prompt=jline} asks lnlb.console for its JLine
 * prompt in place of Gogo's plain one;</li>
 * <li>{@code felix.fileinstall.dir}: {@code -Dlnlb.etc=DIR}, or {@code etc/} beside the runtime
 * jar, is where clusters are declared as {@code lnlb.cluster-NAME.cfg} files.</li>
 * </ul>
 * Every log line, lnlb's (slf4j-simple) and the OSGi Log Service's ({@link ConsoleLog}; level
 * {@code lnlb.log.level}), goes through {@link LogRouter}: to {@code lnlb.log.dir}/lnlb.log at a
 * prompt (which then shows warnings and errors only), else to stderr (systemd's journal); and,

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
    /** The log file's directory; given, the log goes there in any mode. */
    static final String LOG_DIR = "lnlb.log.dir";
    static final String DEFAULT_LOG_DIR = "/var/log/lnlb";
    /** Set by the node when lnlb.console is to give the prompt (Gogo's own is then not started). */
    static final String PROMPT = "lnlb.prompt";
    static final long LOG_FILE_LIMIT = 10L * 1024 * 1024;
    static final int LOG_FILES_KEPT = 5;
    static final String SLF4J_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    private final AtomicBoolean reported = new AtomicBoolean();
    private BundleContext context;
    private String mode = "";
    private ConsoleLog console;
    private Logger log;
    private final RecentLog recent = new RecentLog(2_000);
    private LogRouter router;
    private String logProblem;
    private ServiceRegistration<LogCommand> logCommand;
    private ServiceTracker<Object, Object> screens;
    /** Service property of the prompt's printer of log lines. */
    static final String SCREEN = "lnlb.log.screen";

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
        boolean console = console(context.getProperty(CONSOLE), System.console() != null);
        PrintStream logStream = openLog(context, console);
        PrintStream stderr = System.err;
        System.setErr(logStream);
        try {
            log = LoggerFactory.getLogger(NodeActivator.class);
        } finally {
            System.setErr(stderr);
        }
        this.console = new ConsoleLog(ConsoleLog.level(level), logStream);
        this.console.open(context);
        if (logProblem != null) {
            log.warn(logProblem);
        }
        mode = console ? "console" : "service mode (no console; administer with lnlbctl)";
        if (context.getProperty(GOSH_ARGS) == null) {
            // At a console, lnlb.console's JLine prompt replaces Gogo's plain one.
            System.setProperty(GOSH_ARGS, "--nointeractive");
            if (console) {
                System.setProperty(PROMPT, "jline");
            }
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

    /**
     * Makes the stream every log line goes through ({@link LogRouter}): a file with rotation at a
     * prompt or when {@code lnlb.log.dir} is given, else stderr (systemd's journal, or whatever a
     * script captures); a prompt shows warnings and errors only. {@code lnlb:log} is registered here.
     */
    private PrintStream openLog(BundleContext context, boolean console) {
        boolean systemd = stderrIsJournal(System.getenv("JOURNAL_STREAM"), Path.of("/proc/self/fd/2"));
        String dir = context.getProperty(LOG_DIR);
        RotatingFile file = null;
        String where = "stderr";
        if (toFile(dir, systemd, console)) {
            Path path = Path.of(dir == null || dir.isBlank() ? DEFAULT_LOG_DIR : dir.trim(), "lnlb.log");
            try {
                file = new RotatingFile(path, LOG_FILE_LIMIT, LOG_FILES_KEPT);
                where = path.toString();
            } catch (IOException | RuntimeException e) {
                logProblem = "cannot write the log file " + path + " (" + e + "): " + (console
                        ? "the log stays in memory (lnlb:log); the console shows warnings and errors"
                        : "logging to stderr") + "; -D" + LOG_DIR + "=DIR chooses another directory";
                where = console ? "memory only (lnlb:log)" : "stderr";
            }
        }
        LogLevel shown = console || file != null ? LogLevel.WARN : LogLevel.TRACE;
        router = new LogRouter(recent, file, System.err, shown, systemd && file == null);
        logCommand = context.registerService(LogCommand.class, new LogCommand(recent, where),
                new Hashtable<>(Map.of("osgi.command.scope", "lnlb", "osgi.command.function", new String[] {"log"})));
        screens = new ServiceTracker<>(context, screenFilter(context), null) {
            @Override
            public Object addingService(ServiceReference<Object> reference) {
                Object printer = super.addingService(reference);
                if (printer instanceof Consumer<?> c) {
                    @SuppressWarnings("unchecked")
                    Consumer<String> lines = (Consumer<String>) c;
                    router.screen(lines);
                }
                return printer;
            }

            @Override
            public void removedService(ServiceReference<Object> reference, Object printer) {
                router.screen(null);
                super.removedService(reference, printer);
            }
        };
        screens.open();
        return router.stream();
    }

    /** The prompt (lnlb.console) registers a {@code Consumer<String>} that prints above the line being typed. */
    private static org.osgi.framework.Filter screenFilter(BundleContext context) {
        try {
            return context.createFilter("(&(objectClass=java.util.function.Consumer)(" + SCREEN + "=true))");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether stderr is systemd's journal: {@code JOURNAL_STREAM} (device:inode of the stream systemd
     * gave the service) names stderr itself, not a stream an ancestor had (the variable is inherited:
     * systemd.exec(5) says to compare it with stderr).
     */
    static boolean stderrIsJournal(String journalStream, Path stderr) {
        if (journalStream == null || !journalStream.matches("\\d+:\\d+")) {
            return false;
        }
        try {
            return journalStream.equals(Files.getAttribute(stderr, "unix:dev") + ":" + Files.getAttribute(stderr, "unix:ino"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A file when asked for ({@code lnlb.log.dir}) or at a prompt; systemd's journal and scripts read stderr. */
    static boolean toFile(String dir, boolean systemd, boolean console) {
        if (dir != null && !dir.isBlank()) {
            return true;
        }
        return console && !systemd;
    }

    @Override
    public void stop(BundleContext context) {
        context.removeFrameworkListener(this);
        console.close();
        if (logCommand != null) {
            logCommand.unregister();
        }
        if (screens != null) {
            screens.close();
        }
        // The router stays: slf4j-simple keeps its stream until the JVM ends (a stopped node's last lines).
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
