package lnlb.console.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Job;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.spi.TerminalExt;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceRegistration;
import lnlb.core.api.admin.ClusterAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's interactive prompt, in place of Gogo's plain one: JLine line editing, a history kept
 * across restarts ({@link #historyFile}) and tab completion ({@link CommandCompleter}). Commands
 * run through Gogo's {@link CommandProcessor} as at Gogo's prompt. It runs only when lnlb.node
 * found a terminal and asked for it ({@code lnlb.prompt=jline}); Ctrl-C stops the running
 * command, Ctrl-D (end of input) stops the node as Gogo's shell does.
 *
 * <p>Why not gogo.jline: JLine finds its terminal providers ({@code exec}, {@code jni}, ...) as
 * resources named {@code META-INF/services/org/jline/terminal/provider/NAME} through the thread's
 * context class loader ({@code TerminalProvider.load}); under bnd's launcher that is the
 * launcher's class loader, which does not see inside the jline bundle, so every provider fails and
 * JLine falls back to a dumb terminal. The prompt's thread runs with the jline bundle's class
 * loader as its context class loader, so the providers load.
 */
@Component(immediate = true)
public final class Prompt {
    static final String PROMPT_PROPERTY = "lnlb.prompt";
    static final String HISTORY_PROPERTY = "lnlb.history";
    static final String PROMPT = "g! ";
    /** lnlb.node prints shown log lines through a {@code Consumer<String>} with this property. */
    static final String SCREEN = "lnlb.log.screen";

    private static final Logger LOG = LoggerFactory.getLogger(Prompt.class);

    private final BundleContext context;
    private final CommandProcessor processor;
    private final ClusterAdmin admin;
    private volatile boolean running;
    private Thread thread;
    private volatile Terminal terminal;

    @Activate
    public Prompt(BundleContext context, @Reference CommandProcessor processor, @Reference ClusterAdmin admin) {
        this.context = context;
        this.processor = processor;
        this.admin = admin;
        if ("jline".equals(context.getProperty(PROMPT_PROPERTY))) {
            running = true;
            thread = new Thread(this::run, "lnlb-console");
            thread.setContextClassLoader(Terminal.class.getClassLoader());
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Deactivate
    void deactivate() {
        running = false;
        Terminal t = terminal;
        if (t != null) {
            try {
                t.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        try (Terminal t = TerminalBuilder.builder().system(true).dumb(true).name("lnlb").build()) {
            terminal = t;
            String provider = t instanceof TerminalExt ext && ext.getProvider() != null ? ext.getProvider().name() : "none";
            if (Terminal.TYPE_DUMB.equals(t.getType()) || Terminal.TYPE_DUMB_COLOR.equals(t.getType())) {
                LOG.info("prompt: a dumb terminal (stdin is no terminal, or no JLine provider could open it): no line editing");
            } else {
                LOG.info("prompt: JLine terminal {} through the {} provider", t.getType(), provider);
            }
            PrintStream out = new PrintStream(t.output(), true, StandardCharsets.UTF_8);
            CommandSession session = processor.createSession(t.input(), out, out);
            LineReader reader = LineReaderBuilder.builder().terminal(t).appName("lnlb")
                    .completer(new CommandCompleter(session, admin, context))
                    .variable(LineReader.HISTORY_FILE, writableHistory())
                    .variable(LineReader.HISTORY_SIZE, 1_000)
                    .variable(LineReader.HISTORY_FILE_SIZE, 2_000)
                    .build();
            // Ctrl-C while a command runs stops the command, not the node.
            t.handle(Terminal.Signal.INT, signal -> {
                Job job = session.foregroundJob();
                if (job != null) {
                    job.interrupt();
                }
            });
            // The node's warnings and errors go above the line being typed, which stays as it was.
            // Printed from a thread of its own: the logging thread never waits for JLine's lock, which
            // the prompt holds while it completes (and completion may log).
            ExecutorService printer = Executors.newSingleThreadExecutor(r -> {
                Thread p = new Thread(r, "lnlb-console-log");
                p.setDaemon(true);
                return p;
            });
            Consumer<String> above = line -> printer.execute(() -> reader.printAbove(line));
            ServiceRegistration<?> screen = context.registerService(Consumer.class, above, new Hashtable<>(Map.of(SCREEN, "true")));
            try {
                loop(reader, session, out);
            } finally {
                try {
                    screen.unregister();
                } catch (IllegalStateException e) {
                    // the bundle stopped: unregistered already
                }
                printer.shutdown();
                session.close();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("lnlb: the console stopped: " + e);
        }
    }

    private void loop(LineReader reader, CommandSession session, PrintStream out) {
        while (running) {
            String line;
            try {
                line = reader.readLine(PROMPT);
            } catch (UserInterruptException e) {
                continue;                      // Ctrl-C at the prompt: a new line
            } catch (EndOfFileException e) {
                if (running) {
                    stopNode();
                }
                return;
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                Object result = session.execute(line);
                if (result != null) {
                    out.println(result instanceof CharSequence s ? s : session.format(result, Converter.INSPECT));
                }
            } catch (Exception e) {
                out.println("gogo: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    private void stopNode() {
        try {
            context.getBundle(0).stop();
        } catch (BundleException | IllegalStateException e) {
            // stopping already
        }
    }

    /** The history file, or ~/.lnlb_history when that one cannot be written (not root): JLine would warn at every line. */
    private Path writableHistory() {
        String home = System.getProperty("user.home");
        Path wanted = historyFile(context.getProperty(HISTORY_PROPERTY), context.getProperty("felix.cm.dir"), home);
        if (writable(wanted)) {
            return wanted;
        }
        Path fallback = historyFile(null, null, home);
        LOG.warn("prompt: cannot write the history file {}; keeping the history in {} (-D{}=FILE chooses)", wanted, fallback,
                HISTORY_PROPERTY);
        return fallback;
    }

    static boolean writable(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            return Files.exists(file) ? Files.isWritable(file) : Files.isWritable(dir);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Where the history is kept: {@code lnlb.history}, else {@code history} beside ConfigAdmin's
     * store ({@code /var/lib/lnlb/history} with the default {@code felix.cm.dir}), else {@code ~/.lnlb_history}.
     */
    static Path historyFile(String history, String cmDir, String home) {
        if (history != null && !history.isBlank()) {
            return Path.of(history.trim());
        }
        if (cmDir != null && !cmDir.isBlank()) {
            Path parent = Path.of(cmDir.trim()).toAbsolutePath().getParent();
            if (parent != null) {
                return parent.resolve("history");
            }
        }
        return Path.of(home == null ? "." : home, ".lnlb_history");
    }
}
