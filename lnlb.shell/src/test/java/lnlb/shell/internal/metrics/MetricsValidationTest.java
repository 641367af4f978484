package lnlb.shell.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The text as the tools read it: {@code promtool check metrics} (Debian package prometheus) lints
 * the Prometheus text, and the OpenMetrics parser of prometheus_client (python3-prometheus-client)
 * parses the OpenMetrics text strictly. Each tool is also shown the other format and must reject it,
 * so a check that passes means something. Without the tools: skipped with the reason, or failed
 * under CI=true (lab/install.sh installs both).
 */
class MetricsValidationTest {
    private final List<MetricFamily> families = StatsMetrics.collect(new FakeAdmin(), null);

    @Test
    void promtoolPassesThePrometheusText() throws Exception {
        String promtool = tool("promtool", "/usr/bin/promtool", "prometheus");
        Result ok = run(MetricsText.render(families, MetricsFormat.PROMETHEUS), promtool, "check", "metrics");
        assertEquals(0, ok.status, "promtool check metrics: " + ok.output);
        assertEquals("", ok.output.strip(), "promtool has remarks");
        Result other = run(MetricsText.render(families, MetricsFormat.OPENMETRICS), promtool, "check", "metrics");
        assertNotEquals(0, other.status, "promtool accepted OpenMetrics counters: the check cannot fail");
    }

    @Test
    void theOpenMetricsParserAcceptsTheOpenMetricsText() throws Exception {
        String python = tool("python3 with prometheus_client", "/usr/bin/python3", "python3-prometheus-client");
        String script = """
                import sys
                from prometheus_client.openmetrics.parser import text_string_to_metric_families
                n = sum(len(f.samples) for f in text_string_to_metric_families(sys.stdin.read()))
                print(n)
                """;
        Result missing = run("", python, "-c", "import prometheus_client");
        if (missing.status != 0) {
            absent("python3-prometheus-client", "python3 cannot import prometheus_client");
        }
        Result ok = run(MetricsText.render(families, MetricsFormat.OPENMETRICS), python, "-c", script);
        assertEquals(0, ok.status, "the OpenMetrics parser: " + ok.output);
        long samples = families.stream().mapToLong(f -> f.samples().size()).sum();
        assertEquals(Long.toString(samples), ok.output.strip(), "every sample parsed");
        Result other = run(MetricsText.render(families, MetricsFormat.PROMETHEUS), python, "-c", script);
        assertNotEquals(0, other.status, "the OpenMetrics parser accepted Prometheus text: the check cannot fail");
    }

    private static String tool(String what, String path, String debianPackage) {
        if (!Files.isExecutable(Path.of(path))) {
            absent(debianPackage, "no " + what + " (" + path + ")");
        }
        return path;
    }

    private static void absent(String debianPackage, String why) {
        String message = why + ": apt-get install " + debianPackage + " (lab/install.sh does)";
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
    }

    private record Result(int status, String output) {
    }

    private static Result run(String input, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish");
        }
        return new Result(p.exitValue(), output);
    }
}
