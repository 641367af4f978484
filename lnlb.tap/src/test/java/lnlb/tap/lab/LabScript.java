package lnlb.tap.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs one of the lab's scripts ({@code lab/e2e.sh}, {@code lab/cluster.sh}, ...; lnlb.itest runs
 * {@code hotswap.sh} and {@code caps.sh} with the runtime jar through this class too) and turns each
 * {@code PASS}/{@code FAIL}/{@code SKIP name: detail} line it prints into a JUnit test, plus one
 * for its exit status. {@code METRIC} lines go to {@code target/<script>-metrics.txt}, stderr to
 * {@code target/lab-<script>.log}. Needs root: without it the tests are skipped with a message,
 * except under {@code CI=true}, where a skipped lab is a failure.
 */
public final class LabScript {
    private static final long TIMEOUT_MINUTES = 15;

    private LabScript() {
    }

    /** Runs {@code script} with {@code LNLB_CP} = this test class path (lnlb.tap, its tests and dependencies). */
    public static Stream<DynamicTest> run(String script) throws Exception {
        return run(script, Map.of("LNLB_CP", classPath()));
    }

    /** Runs {@code script} with {@code environment} added to this process's. */
    public static Stream<DynamicTest> run(String script, Map<String, String> environment) throws Exception {
        requireRoot();
        String base = script.replaceFirst("\\.sh$", "");
        Path lab = Path.of(System.getProperty("lnlb.lab.dir", "../lab")).toAbsolutePath().normalize();
        Path log = Path.of("target", "lab-" + base + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());

        ProcessBuilder builder = new ProcessBuilder("bash", lab.resolve(script).toString())
                .redirectError(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        try (var reader = process.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println("[" + base + "] " + line);
                lines.add(line);
            }
        }
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroy();               // bash's EXIT trap tears the lab down
            process.waitFor(60, TimeUnit.SECONDS);
            fail("lab/" + script + " did not finish in " + TIMEOUT_MINUTES + " min; see " + log);
        }
        int exit = process.exitValue();
        Files.write(Path.of("target", base + "-metrics.txt"),
                lines.stream().filter(l -> l.startsWith("METRIC ")).toList());

        List<DynamicTest> tests = new ArrayList<>();
        for (String line : lines) {
            int space = line.indexOf(' ');
            int colon = line.indexOf(": ");
            if (space < 0 || colon < space) {
                continue;
            }
            String verdict = line.substring(0, space);
            String name = line.substring(space + 1, colon);
            String detail = line.substring(colon + 2);
            switch (verdict) {
                case "PASS": tests.add(DynamicTest.dynamicTest(name, () -> { })); break;
                case "FAIL": tests.add(DynamicTest.dynamicTest(name, () -> fail(detail))); break;
                case "SKIP": tests.add(DynamicTest.dynamicTest(name, () -> Assumptions.abort(detail))); break;
                default: break;
            }
        }
        String tail = tail(log);
        tests.add(DynamicTest.dynamicTest(script + " exit status", () ->
                assertEquals(0, exit, "lab/" + script + " exited " + exit + "; stderr tail:\n" + tail)));
        return tests.stream();
    }

    /** Skips without root; under CI=true a missing root is a failure, not a skip. */
    public static void requireRoot() throws IOException {
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (Integer.valueOf(0).equals(uid)) {
            return;
        }
        String message = "the lab needs root (network namespaces, TAP, AF_PACKET); running as uid " + uid;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + ", and CI=true: lab tests must not be skipped in CI");
        }
        Assumptions.abort(message + ": skipped");
    }

    /** The test class path, which holds lnlb.tap, its test classes and its dependencies. */
    private static String classPath() {
        String path = System.getProperty("surefire.test.class.path");
        return path == null || path.isBlank() ? System.getProperty("java.class.path") : path;
    }

    private static String tail(Path log) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
