package lnlb.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.log.LogLevel;

class LogRouterTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    private final RecentLog recent = new RecentLog(100);

    private PrintStream router(RotatingFile file, LogLevel shown, boolean journal) {
        return new LogRouter(recent, file, new PrintStream(terminal, true, StandardCharsets.UTF_8), shown, journal).stream();
    }

    @Test
    void aPromptShowsWarningsAndErrorsOnlyWhileTheFileAndLnlbLogGetEverything() throws Exception {
        RotatingFile file = new RotatingFile(dir.resolve("log/lnlb.log"), 1 << 20, 3);
        PrintStream log = router(file, LogLevel.WARN, false);
        log.println("12:00:00.000 [main] INFO lnlb.X - started");
        log.println("12:00:00.001 [main] WARN lnlb.X - no key");
        log.println("12:00:00.002 [main] ERROR lnlb.X - failed: boom");
        log.println("java.lang.IllegalStateException: boom");        // its stack trace: still the error
        log.println("\tat lnlb.X.run(X.java:1)");
        log.println("12:00:00.003 [main] DEBUG lnlb.X - detail");
        log.println("\tat lnlb.X.debugOnly(X.java:2)");                // a DEBUG line's trace stays off the terminal

        String shown = terminal.toString(StandardCharsets.UTF_8);
        assertFalse(shown.contains("INFO"), shown);
        assertFalse(shown.contains("DEBUG") || shown.contains("debugOnly"), shown);
        assertTrue(shown.contains("WARN lnlb.X - no key") && shown.contains("ERROR lnlb.X - failed")
                && shown.contains("\tat lnlb.X.run"), shown);
        List<String> lines = Files.readAllLines(dir.resolve("log/lnlb.log"));
        assertEquals(7, lines.size(), lines.toString());
        assertEquals(lines, recent.last(100));
    }

    @Test
    void theJournalGetsEveryLineWithItsSyslogPriority() {
        PrintStream log = router(null, LogLevel.TRACE, true);
        log.println("12:00:00.000 [main] INFO lnlb.X - started");
        log.println("12:00:00.001 [main] ERROR lnlb.X - failed");
        log.println("\tat lnlb.X.run(X.java:1)");
        assertEquals("<6>12:00:00.000 [main] INFO lnlb.X - started\n<3>12:00:00.001 [main] ERROR lnlb.X - failed\n"
                + "<3>\tat lnlb.X.run(X.java:1)\n", terminal.toString(StandardCharsets.UTF_8));
    }

    @Test
    void levelsAreReadFromBothLayouts() {
        assertEquals(LogLevel.WARN, LogRouter.level("03:54:52.375 [lnlb-nlb0] WARN lnlb.core.X - nlb0: no key", LogLevel.INFO));
        assertEquals(LogLevel.ERROR, LogRouter.level("03:54:52.375 [CM Event Dispatcher (Fire ConfigurationEvent: pid=x)] ERROR a - b",
                LogLevel.INFO));
        assertEquals(LogLevel.DEBUG, LogRouter.level("not a log line", LogLevel.DEBUG));
    }

    @Test
    void theFileRotatesAndKeepsTheNewestFiles() throws Exception {
        Path path = dir.resolve("lnlb.log");
        RotatingFile file = new RotatingFile(path, 100, 2);
        for (int i = 0; i < 10; i++) {
            file.write(String.format("line %02d %s", i, "x".repeat(30)));      // 39 bytes: two lines a file
        }
        file.close();
        assertEquals(List.of("line 08 " + "x".repeat(30), "line 09 " + "x".repeat(30)), Files.readAllLines(path));
        assertTrue(Files.readAllLines(path.resolveSibling("lnlb.log.1")).get(0).startsWith("line 06"));
        assertTrue(Files.readAllLines(path.resolveSibling("lnlb.log.2")).get(0).startsWith("line 04"));
        assertFalse(Files.exists(path.resolveSibling("lnlb.log.3")));
        // a restart appends
        RotatingFile again = new RotatingFile(path, 1000, 2);
        again.write("after restart");
        again.close();
        assertEquals(3, Files.readAllLines(path).size());
    }

    @Test
    void whileThePromptRunsItPrintsTheShownLinesAboveTheTypedLine() {
        LogRouter router = new LogRouter(recent, null, new PrintStream(terminal, true, StandardCharsets.UTF_8), LogLevel.WARN, false);
        PrintStream log = router.stream();
        List<String> above = new java.util.ArrayList<>();
        router.screen(above::add);
        log.println("12:00:00.000 [main] INFO lnlb.X - started");
        log.println("12:00:00.001 [main] WARN lnlb.X - no key");
        router.screen(null);
        log.println("12:00:00.002 [main] ERROR lnlb.X - failed");
        assertEquals(List.of("12:00:00.001 [main] WARN lnlb.X - no key"), above);
        assertEquals("12:00:00.002 [main] ERROR lnlb.X - failed\n", terminal.toString(StandardCharsets.UTF_8));
    }
}
