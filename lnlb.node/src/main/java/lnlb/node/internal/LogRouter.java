package lnlb.node.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.log.LogLevel;

/**
 * Where every log line of the node goes: slf4j-simple (lnlb's own lines) and {@link ConsoleLog}
 * (the OSGi Log) both write to this stream, one line at a time. Each line is kept in
 * {@link RecentLog} (for {@code lnlb:log}), written to the log file if there is one, and shown on
 * the terminal when its level is at least {@code shown} (a prompt shows warnings and errors only,
 * so no INFO line lands between the prompt and a command's output). Lines that are no log line
 * (a stack trace) take the level of the line before.
 */
final class LogRouter extends OutputStream {
    /** slf4j-simple's and ConsoleLog's layout: {@code 12:00:00.000 [thread] LEVEL name - message}. */
    private static final Pattern LINE = Pattern.compile("^\\S+ \\[[^\\]]*\\] (ERROR|WARN|INFO|DEBUG|TRACE) ");

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final RecentLog recent;
    private final RotatingFile file;
    private final PrintStream terminal;
    private final LogLevel shown;
    private final boolean journal;
    /** The prompt's printer when it runs (lnlb.console: above the line being typed), else null: the terminal. */
    private volatile Consumer<String> screen;
    private LogLevel last = LogLevel.INFO;
    private boolean fileFailed;

    /**
     * @param file the log file, or null (the terminal is the log: systemd's journal or a script's capture)
     * @param terminal the real stderr
     * @param shown the least severe level shown on the terminal
     * @param journal prefix each terminal line with its syslog priority ({@code <4>}), as journald reads it
     */
    LogRouter(RecentLog recent, RotatingFile file, PrintStream terminal, LogLevel shown, boolean journal) {
        this.recent = recent;
        this.file = file;
        this.terminal = terminal;
        this.shown = shown;
        this.journal = journal;
    }

    /** Shown lines go to {@code printer} (null: back to the terminal). */
    void screen(Consumer<String> printer) {
        screen = printer;
    }

    PrintStream stream() {
        return new PrintStream(this, true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            String line = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            route(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        } else {
            pending.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            write(bytes[i]);
        }
    }

    private void route(String line) {
        LogLevel level = level(line, last);
        last = level;
        recent.add(line);
        if (file != null && !fileFailed) {
            try {
                file.write(line);
            } catch (IOException e) {
                fileFailed = true;     // a full disk: say so once, keep the node running, the terminal gets warnings still
                terminal.println("lnlb: cannot write the log file " + file.path() + " (" + e.getMessage()
                        + "): the recent log stays in lnlb:log only");
            }
        }
        if (shown.implies(level)) {
            Consumer<String> prompt = screen;
            if (prompt != null) {
                prompt.accept(line);
            } else {
                terminal.println(journal ? "<" + priority(level) + ">" + line : line);
            }
        }
    }

    /** The level a line is logged at; a line of no known layout (a stack trace's) continues the one before. */
    static LogLevel level(String line, LogLevel previous) {
        Matcher m = LINE.matcher(line);
        return m.find() ? LogLevel.valueOf(m.group(1)) : previous;
    }

    /** syslog's priority of a level (sd-daemon(3): journald reads {@code <N>} at the start of a stderr line). */
    static int priority(LogLevel level) {
        return switch (level) {
            case AUDIT, ERROR -> 3;
            case WARN -> 4;
            case INFO -> 6;
            default -> 7;
        };
    }

    @Override
    public void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }
}
