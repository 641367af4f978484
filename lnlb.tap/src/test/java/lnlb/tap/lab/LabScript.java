package lnlb.tap.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs one of the lab's scripts ({@code lab/e2e.sh}, {@code lab/cluster.sh}, ...; lnlb.itest runs
 * {@code hotswap.sh} and {@code caps.sh} with the runtime jar through this class too) and turns
 * what it prints into JUnit tests:
 * <ul>
 * <li>one test per {@code PASS|FAIL|SKIP name: detail} line (a check): FAIL fails with its detail;
 * SKIP is skipped, except under {@code CI=true}, where it fails (CI runs every lab check);</li>
 * <li>one test per {@code METRIC name value unit} line, which fails when the line has no value or
 * no unit (a measurement the script did not make); the metrics also go to
 * {@code target/<script>-metrics.txt};</li>
 * <li>"checks printed": fails when the script printed fewer checks than its wrapper says it
 * prints, so a scenario that stops half-way, or skips a part without saying so, cannot pass;</li>
 * <li>"exit status": fails when the script did not exit 0 (its stderr, in
 * {@code target/lab-<script>.log}, ends the message).</li>
 * </ul>
 * Each wrapper states how many checks its scenario prints (count the {@code check}/{@code pass}/
 * {@code fail} calls of the script, loops unrolled), e.g. {@code LabScript.run("e2e.sh", 37)}. Needs
 * root: without it the tests are skipped with a message, except under {@code CI=true}, where a
 * skipped lab is a failure.
 */
public final class LabScript {
    private static final long TIMEOUT_MINUTES = 15;
    /** How long the output may still flow after the script exited (children that kept stdout open). */
    private static final long DRAIN_SECONDS = 60;

    private LabScript() {
    }

    /**
     * Runs {@code script} with {@code LNLB_CP} = this test class path (lnlb.tap, its tests and
     * dependencies); the script must print at least {@code checks} check lines.
     */
    public static Stream<DynamicTest> run(String script, int checks) throws Exception {
        return run(script, checks, Map.of("LNLB_CP", classPath()));
    }

    /**
     * Runs {@code script} with {@code environment} added to this process's; the script must print
     * at least {@code checks} check lines.
     */
    public static Stream<DynamicTest> run(String script, int checks, Map<String, String> environment) throws Exception {
        requireRoot();
        Path lab = Path.of(System.getProperty("lnlb.lab.dir", "../lab")).toAbsolutePath().normalize();
        return execute(lab, script, checks, environment, ci()).stream();
    }

    /** Runs {@code lab/script} (no root check) and gives its tests; for {@link #run} and LabScriptTest. */
    static List<DynamicTest> execute(Path lab, String script, int checks, Map<String, String> environment, boolean ci)
            throws IOException, InterruptedException {
        requirePositive(checks);
        String base = script.replaceFirst("\\.sh$", "");
        Path log = Path.of("target", "lab-" + base + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());

        ProcessBuilder builder = new ProcessBuilder("bash", lab.resolve(script).toString())
                .redirectError(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (var in = process.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    System.out.println("[" + base + "] " + line);
                    lines.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "lab-" + base + "-stdout");
        reader.setDaemon(true);
        reader.start();
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroy();               // bash's EXIT trap tears the lab down
            process.waitFor(60, TimeUnit.SECONDS);
            fail("lab/" + script + " did not finish in " + TIMEOUT_MINUTES + " min; see " + log);
        }
        reader.join(TimeUnit.SECONDS.toMillis(DRAIN_SECONDS));
        List<String> output;
        synchronized (lines) {
            output = List.copyOf(lines);
        }
        Files.write(Path.of("target", base + "-metrics.txt"),
                output.stream().filter(l -> l.startsWith("METRIC ")).toList());
        return verdicts(script, output, process.exitValue(), checks, ci, tail(log));
    }

    /**
     * The tests for what {@code script} printed ({@code lines}) and how it ended ({@code exit}),
     * when it must print at least {@code checks} checks; {@code ci}: running under {@code CI=true};
     * {@code stderrTail}: the end of its stderr, for the exit status message.
     */
    static List<DynamicTest> verdicts(String script, List<String> lines, int exit, int checks, boolean ci,
            String stderrTail) {
        requirePositive(checks);
        List<DynamicTest> tests = new ArrayList<>();
        int printed = 0;
        String last = "none";
        for (String text : lines) {
            Line line = Line.parse(text);
            if (line == null) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(line.displayName(), () -> line.verify(ci)));
            if (line.isCheck()) {
                printed++;
                last = line.name();
            }
        }
        int count = printed;
        String lastCheck = last;
        tests.add(DynamicTest.dynamicTest(script + " checks printed: " + count + " (at least " + checks + ")", () -> {
            if (count < checks) {
                fail("lab/" + script + " printed " + count + " checks, fewer than the " + checks
                        + " it prints when it runs to its end (the last one: " + lastCheck + ")");
            }
        }));
        tests.add(DynamicTest.dynamicTest(script + " exit status", () ->
                assertEquals(0, exit, "lab/" + script + " exited " + exit + "; stderr tail:\n" + stderrTail)));
        return tests;
    }

    /** Skips without root; under CI=true a missing root is a failure, not a skip. */
    public static void requireRoot() throws IOException {
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (Integer.valueOf(0).equals(uid)) {
            return;
        }
        String message = "the lab needs root (network namespaces, TAP, AF_PACKET); running as uid " + uid;
        if (ci()) {
            fail(message + ", and CI=true: lab tests must not be skipped in CI");
        }
        Assumptions.abort(message + ": skipped");
    }

    /** Running in CI ({@code CI=true}): nothing may be skipped. */
    static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static void requirePositive(int checks) {
        if (checks < 1) {
            throw new IllegalArgumentException("a scenario prints at least one check: " + checks);
        }
    }

    /**
     * One line a lab script printed that counts: {@code PASS|FAIL|SKIP name: detail} or
     * {@code METRIC name value unit}. Other lines (notes, the summary, tool output) are not parsed.
     */
    record Line(String kind, String name, String detail) {
        static Line parse(String text) {
            int space = text.indexOf(' ');
            if (space < 0) {
                return null;
            }
            String kind = text.substring(0, space);
            String rest = text.substring(space + 1);
            switch (kind) {
                case "PASS", "FAIL", "SKIP" -> {
                    int colon = rest.indexOf(": ");
                    return colon < 0 ? new Line(kind, rest.strip(), "")
                            : new Line(kind, rest.substring(0, colon), rest.substring(colon + 2));
                }
                case "METRIC" -> {
                    int next = rest.indexOf(' ');
                    return next < 0 ? new Line(kind, rest, "") : new Line(kind, rest.substring(0, next), rest.substring(next + 1));
                }
                default -> {
                    return null;
                }
            }
        }

        boolean isCheck() {
            return !"METRIC".equals(kind);
        }

        String displayName() {
            String shown = kind + " " + name + (detail.isEmpty() ? "" : (isCheck() ? ": " : " ") + detail);
            return shown.length() <= 200 ? shown : shown.substring(0, 199) + "…";
        }

        void verify(boolean ci) {
            switch (kind) {
                case "FAIL" -> fail(name + ": " + detail);
                case "SKIP" -> {
                    if (ci) {
                        fail(name + " skipped (" + detail + "), and CI=true: lab checks must not be skipped in CI");
                    }
                    Assumptions.abort(name + ": " + detail);
                }
                case "METRIC" -> {
                    String[] valueUnit = detail.split(" ", -1);
                    if (valueUnit.length < 2 || valueUnit[0].isEmpty() || valueUnit[1].isEmpty()) {
                        fail("METRIC " + name + " wants 'value unit', got '" + detail + "'");
                    }
                }
                default -> { }              // PASS: the script's check held
            }
        }
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
