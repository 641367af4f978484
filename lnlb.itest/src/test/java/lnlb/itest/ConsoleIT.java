package lnlb.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime jar's prompt as a person uses it, in a real terminal (tmux): a typo corrected with
 * the arrow keys and backspace, the command recalled with the up arrow, {@code lnlb:wei} and a
 * cluster name and a bundle name completed with TAB, no INFO line on the screen meanwhile (they
 * go to the log file), {@code lnlb:log -f} stopped with Ctrl-C, and the history still there after
 * Ctrl-D and a restart. Needs tmux ({@code lab/install.sh}); under {@code CI=true} a missing tmux
 * fails instead of skipping.
 */
class ConsoleIT {
    private static final Pattern NODES_LINE = Pattern.compile("webfarm: 10\\.0\\.0\\.50 on dev0, ");

    private Path dir;
    private Tmux tmux;
    private String server;

    @BeforeEach
    void setUp() throws IOException {
        if (!Tmux.available()) {
            String message = "needs tmux (lab/install.sh installs it)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(message + ", and CI=true: this test must not be skipped in CI");
            }
            Assumptions.abort(message + ": skipped");
        }
        dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "lnlb-console");
        server = "lnlb-console-" + ProcessHandle.current().pid();
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/lnlb.cluster-webfarm.cfg"), """
                vip = 10.0.0.50
                device = dev0
                heartbeat.interval.ms = 100
                tolerance = 3
                link.target = (lnlb.link.type=memory)
                """);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (tmux != null) {
            Optional<ProcessHandle> node = ProcessHandle.of(tmux.panePid());
            tmux.close();
            node.ifPresent(ProcessHandle::destroyForcibly);
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void editingHistoryCompletionAndNoInfoLinesAtThePrompt() throws Exception {
        startNode();

        // A typo, corrected: back over "s webfarm" (9 characters), delete the x, type e.
        tmux.type("lnlb:nodxs webfarm");
        for (int i = 0; i < 9; i++) {
            tmux.press("Left");
        }
        tmux.press("BSpace");
        tmux.type("e");
        tmux.awaitCursorLine("the corrected line", l -> l.equals("g! lnlb:nodes webfarm"));
        tmux.press("Enter");
        tmux.await("lnlb:nodes' answer", s -> count(NODES_LINE, s) == 1 && s.endsWith("g!"));

        // The up arrow recalls it.
        tmux.press("Up");
        tmux.awaitCursorLine("the recalled command", l -> l.equals("g! lnlb:nodes webfarm"));
        tmux.press("Enter");
        tmux.await("the answer a second time", s -> count(NODES_LINE, s) == 2 && s.endsWith("g!"));

        // TAB: lnlb:wei -> lnlb:weight (weight and weightmode share it), then a cluster name.
        tmux.type("lnlb:wei");
        tmux.press("Tab");
        tmux.await("lnlb:wei completed", s -> s.contains("g! lnlb:weight") && s.contains("lnlb:weightmode"));
        tmux.type("mode web");
        tmux.press("Tab");
        tmux.awaitCursorLine("the cluster name completed", l -> l.equals("g! lnlb:weightmode webfarm"));
        tmux.type("manual");
        tmux.press("Enter");
        tmux.await("weightmode's answer", s -> s.contains("webfarm: weight mode manual") && s.endsWith("g!"));

        // TAB after swap: a bundle's symbolic name.
        tmux.type("lnlb:swap lnlb.module.t");
        tmux.press("Tab");
        tmux.awaitCursorLine("the bundle name completed", l -> l.equals("g! lnlb:swap lnlb.module.tcp"));
        tmux.press("C-u");
        tmux.awaitCursorLine("an empty prompt", l -> l.equals("g!"));

        // Meanwhile INFO lines were logged (the file has them), and none reached the screen.
        String screen = tmux.screen();
        assertFalse(screen.contains(" INFO "), screen);
        String log = Files.readString(dir.resolve("log/lnlb.log"));
        assertTrue(log.contains(" INFO lnlb.node.internal.NodeActivator - lnlb node ready"), log);
        assertTrue(log.contains(" INFO ") && log.contains("webfarm"), log);
        // A real terminal provider loaded inside the framework (gogo.jline got a dumb terminal there).
        assertTrue(log.matches("(?s).*prompt: JLine terminal \\S+ through the (exec|jni|jna|jansi|ffm) provider.*"), log);

        // lnlb:log shows them when asked; -f follows until Ctrl-C.
        tmux.type("lnlb:log -f -n 3");
        tmux.press("Enter");
        tmux.await("the followed log", s -> s.contains(" INFO "));
        tmux.press("C-c");
        tmux.awaitCursorLine("the prompt after Ctrl-C", l -> l.equals("g!"));

        // Ctrl-D stops the node; the history is still there after a restart.
        long pid = tmux.panePid();
        tmux.press("C-d");
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(30, TimeUnit.SECONDS).join());
        List<String> history = Files.readAllLines(dir.resolve("history"));
        assertTrue(history.stream().anyMatch(l -> l.endsWith("lnlb:weightmode webfarm manual")), history.toString());
        tmux.close();
        startNode();
        tmux.press("Up");
        tmux.awaitCursorLine("the last command of the run before", l -> l.equals("g! lnlb:log -f -n 3"));
        tmux.press("Up");
        tmux.awaitCursorLine("the one before it", l -> l.equals("g! lnlb:weightmode webfarm manual"));
        assertFalse(tmux.screen().contains(" INFO "), tmux.screen());
    }

    private void startNode() throws Exception {
        Path runtime = Path.of(System.getProperty("lnlb.runtime.dir"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = String.join(" ", "exec", java, "-Dfelix.cm.dir=" + dir.resolve("cm"), "-Dlnlb.etc=" + dir.resolve("etc"),
                "-Dlnlb.socket=" + dir.resolve("lnlb.sock"), "-Dlnlb.log.dir=" + dir.resolve("log"),
                "-Dlnlb.history=" + dir.resolve("history"), "-jar", runtime.resolve("lnlb.jar").toString());
        tmux = Tmux.start(server, command);
        tmux.awaitCursorLine("the prompt", l -> l.equals("g!"));
        // The declared cluster is up (FileInstall reads etc/ at start): its name completes from now on.
        tmux.await("the node ready", s -> Files.exists(dir.resolve("lnlb.sock")) && logHas("webfarm"));
    }

    private boolean logHas(String text) {
        try {
            return Files.readString(dir.resolve("log/lnlb.log")).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static int count(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
