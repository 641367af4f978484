package lnlb.node.internal;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.admin.LoggerAdmin;
import org.osgi.service.log.admin.LoggerContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Prints the OSGi Log Service (what SCR, ConfigAdmin and FileInstall report) on stderr, one line
 * per entry, in slf4j-simple's layout so that it reads like lnlb's own lines. The level is
 * {@code lnlb.log.level} (error, warn, info, debug, trace; default info); it also becomes the root
 * level of the Log Service, so bundles log no more than is printed.
 *
 * <p>An exception is shown as its message on the same line, after the wrappers reflection puts
 * around it: a component whose constructor refused its configuration gives one line that says
 * why. The stack trace follows only at debug and trace.
 */
final class ConsoleLog implements LogListener {
    static final String LEVEL = "lnlb.log.level";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    /** SCR's prefix, {@code bundle lnlb.core:0.1.0 (1)[lnlb...ClusterComponent(5)] : }, shortened to the component. */
    private static final Pattern SCR_PREFIX = Pattern.compile("^bundle \\S+ \\(\\d+\\)\\[([^\\]]+)\\] : ");

    private final LogLevel level;
    private final PrintStream out;
    private ServiceTracker<LogReaderService, LogReaderService> readers;
    private ServiceTracker<LoggerAdmin, LoggerAdmin> admins;

    ConsoleLog(LogLevel level, PrintStream out) {
        this.level = level;
        this.out = out;
    }

    static LogLevel level(String text) {
        if (text == null || text.isBlank()) {
            return LogLevel.INFO;
        }
        try {
            return LogLevel.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return LogLevel.INFO;
        }
    }

    void open(BundleContext context) {
        readers = new ServiceTracker<>(context, LogReaderService.class, null) {
            @Override
            public LogReaderService addingService(ServiceReference<LogReaderService> reference) {
                LogReaderService reader = super.addingService(reference);
                if (reader != null) {
                    reader.addLogListener(ConsoleLog.this);
                }
                return reader;
            }

            @Override
            public void removedService(ServiceReference<LogReaderService> reference, LogReaderService reader) {
                reader.removeLogListener(ConsoleLog.this);
                super.removedService(reference, reader);
            }
        };
        admins = new ServiceTracker<>(context, LoggerAdmin.class, null) {
            @Override
            public LoggerAdmin addingService(ServiceReference<LoggerAdmin> reference) {
                LoggerAdmin admin = super.addingService(reference);
                if (admin != null) {
                    // Bundles log no finer than is printed.
                    LoggerContext root = admin.getLoggerContext(null);
                    root.setLogLevels(Map.of(Logger.ROOT_LOGGER_NAME, level));
                }
                return admin;
            }
        };
        admins.open();
        readers.open();
    }

    void close() {
        if (readers != null) {
            readers.close();
        }
        if (admins != null) {
            admins.close();
        }
    }

    @Override
    public void logged(LogEntry entry) {
        if (!shown(level, entry.getLogLevel(), entry.getLoggerName())) {
            return;
        }
        String line = format(entry.getTime(), entry.getThreadInfo(), entry.getLogLevel(), name(entry), entry.getMessage(),
                entry.getException());
        synchronized (out) {
            out.println(line);
            if (entry.getException() != null && level.implies(LogLevel.DEBUG)) {
                entry.getException().printStackTrace(out);
            }
        }
    }

    /**
     * Whether an entry is printed at {@code level}. At info, the framework's events and the other
     * bundles' chatter (SCR's start-up notes) stay out: only their warnings and errors, and what
     * bundles say through the classic LogService (FileInstall: "Creating configuration ... from
     * FILE"), are printed; debug and trace print everything down to the level.
     */
    static boolean shown(LogLevel level, LogLevel entry, String logger) {
        if (!level.implies(entry)) {
            return false;
        }
        if (entry.ordinal() <= LogLevel.WARN.ordinal() || level.implies(LogLevel.DEBUG)) {
            return true;
        }
        return logger != null && (logger.startsWith("LogService") || logger.startsWith("lnlb"));
    }

    private static String name(LogEntry entry) {
        String logger = entry.getLoggerName();
        Bundle bundle = entry.getBundle();
        if ((logger == null || logger.equals("LogService") || logger.startsWith("Events.")) && bundle != null) {
            return bundle.getSymbolicName();
        }
        return logger == null ? "" : logger;
    }

    static String format(long time, String thread, LogLevel level, String name, String message, Throwable exception) {
        String text = message == null ? "" : SCR_PREFIX.matcher(message).replaceFirst("[$1] ");
        if (exception != null) {
            text = text + ": " + reason(exception);
        }
        return TIME.format(Instant.ofEpochMilli(time)) + " [" + (thread == null ? "?" : thread) + "] " + level + " " + name
                + " - " + text;
    }

    /**
     * What went wrong, past the wrappers: the first message that is not a reflective wrapper's.
     * Felix Log hands listeners a copy of the exception ({@code LogException}, whose message is
     * {@code "original.Class: original message"}), so the type is read from the message then.
     */
    static String reason(Throwable exception) {
        Throwable t = exception;
        while (t.getCause() != null && (t instanceof InvocationTargetException || t.getMessage() == null
                || t.getMessage().startsWith(InvocationTargetException.class.getName())
                || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        String type = t.getClass().getName();
        String message = t.getMessage();
        Matcher copied = COPIED.matcher(message == null ? "" : message);
        if (t.getClass().getSimpleName().equals("LogException") && copied.matches()) {
            type = copied.group(1);
            message = copied.group(2);
        }
        if (message == null || message.equals("null")) {
            return type;
        }
        return type.equals(IllegalArgumentException.class.getName()) ? message : type.substring(type.lastIndexOf('.') + 1) + ": " + message;
    }

    private static final Pattern COPIED = Pattern.compile("([\\w.$]+): (.*)", Pattern.DOTALL);
}
