package lnlb.tap.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The lab as JUnit tests: runs {@code lab/e2e.sh} (namespaces, bridge, one node running
 * {@link AcceptAllNode}, real clients and servers) and turns each {@code PASS}/{@code FAIL}/{@code SKIP}
 * line into a test. Needs root. Without it the tests are skipped with a message, except under
 * {@code CI=true}, where a skipped lab is a failure.
 *
 * <p>Runs in the {@code lab} surefire execution of lnlb.tap (phase integration-test):
 * {@code ./mvnw -pl lnlb.core,lnlb.tap verify}; {@code -Dlnlb.lab.skip=true} leaves it out. The node
 * JVMs get this JVM's class path; {@code LNLB_NODE_MAIN} / {@code LNLB_NODE_ARGS} swap the harness
 * for another main.
 */
class LabIT {
    private static final long TIMEOUT_MINUTES = 15;

    @TestFactory
    Stream<DynamicTest> e2e() throws Exception {
        requireRoot();
        Path lab = Path.of(System.getProperty("lnlb.lab.dir", "../lab")).toAbsolutePath().normalize();
        Path script = lab.resolve("e2e.sh");
        Path log = Path.of("target", "lab-e2e.log").toAbsolutePath();
        Files.createDirectories(log.getParent());

        ProcessBuilder builder = new ProcessBuilder("bash", script.toString())
                .redirectError(log.toFile());
        builder.environment().put("LNLB_CP", classPath());
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        try (var reader = process.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println("[lab] " + line);
                lines.add(line);
            }
        }
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroy();               // bash's EXIT trap tears the lab down
            process.waitFor(60, TimeUnit.SECONDS);
            fail("lab/e2e.sh did not finish in " + TIMEOUT_MINUTES + " min; see " + log);
        }
        int exit = process.exitValue();
        Files.write(Path.of("target", "lab-metrics.txt"),
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
        tests.add(DynamicTest.dynamicTest("e2e.sh exit status", () ->
                assertEquals(0, exit, "lab/e2e.sh exited " + exit + "; stderr tail:\n" + tail)));
        return tests.stream();
    }

    /** Skips without root; under CI=true a missing root is a failure, not a skip. */
    static void requireRoot() throws IOException {
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
