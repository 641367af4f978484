package lnlb.tap.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** What {@link LabScript} makes of a script's output, on canned outputs: no root, no lab. */
class LabScriptTest {
    private static final List<String> THREE_PASSED = List.of(
            "# a note",
            "PASS offloads-on: client eth0: tcp-segmentation-offload: on",
            "METRIC curl_200_connections_ms 812 ms",
            "PASS curl-vip: GET http://10.77.0.100/ -> 'lnlb-n1'",
            "lab: something on stdout",
            "PASS teardown: after SIGTERM: nlb0 gone",
            "e2e: 3 passed, 0 failed");

    @Test
    void aCompleteRunPassesAndReportsEveryLine() throws Throwable {
        Map<String, String> outcomes = outcomes(LabScript.verdicts("e2e.sh", THREE_PASSED, 0, 3, false, ""));
        assertEquals(List.of(
                "PASS offloads-on: client eth0: tcp-segmentation-offload: on",
                "METRIC curl_200_connections_ms 812 ms",
                "PASS curl-vip: GET http://10.77.0.100/ -> 'lnlb-n1'",
                "PASS teardown: after SIGTERM: nlb0 gone",
                "e2e.sh checks printed: 3 (at least 3)",
                "e2e.sh exit status"), List.copyOf(outcomes.keySet()));
        outcomes.forEach((name, outcome) -> assertEquals("passed", outcome, name));
    }

    @Test
    void aFailLineFailsWithItsDetail() throws Throwable {
        List<String> lines = List.of("PASS a: fine", "FAIL curl-vip: GET -> ''", "PASS c: fine");
        Map<String, String> outcomes = outcomes(LabScript.verdicts("e2e.sh", lines, 1, 3, false, "stderr said why"));
        assertEquals("failed: curl-vip: GET -> ''", outcomes.get("FAIL curl-vip: GET -> ''"));
        assertEquals("passed", outcomes.get("PASS a: fine"));
        assertTrue(outcomes.get("e2e.sh exit status").contains("stderr said why"), outcomes.toString());
    }

    @Test
    void fewerChecksThanDeclaredFail() throws Throwable {
        // The scenario died after its first check (or skipped a part silently) and still exited 0.
        List<String> lines = List.of("PASS cluster-formed: 3 nodes", "METRIC cluster_formed_ms 900 ms");
        Map<String, String> outcomes = outcomes(LabScript.verdicts("cluster.sh", lines, 0, 28, false, ""));
        assertEquals("failed: lab/cluster.sh printed 1 checks, fewer than the 28 it prints when it runs to its end"
                + " (the last one: cluster-formed)", outcomes.get("cluster.sh checks printed: 1 (at least 28)"));
        assertEquals("passed", outcomes.get("cluster.sh exit status"));
        // Nothing at all printed: the count still fails.
        assertTrue(outcomes(LabScript.verdicts("cluster.sh", List.of(), 0, 28, false, ""))
                .get("cluster.sh checks printed: 0 (at least 28)").startsWith("failed: "));
        // More than declared is fine (a wrapper states the least).
        assertEquals("passed", outcomes(LabScript.verdicts("e2e.sh", THREE_PASSED, 0, 2, false, ""))
                .get("e2e.sh checks printed: 3 (at least 2)"));
    }

    @Test
    void aNonZeroExitFailsEvenWhenEveryCheckPassed() throws Throwable {
        Map<String, String> outcomes = outcomes(LabScript.verdicts("e2e.sh", THREE_PASSED, 2, 3, false, "lab busy"));
        assertEquals("failed: lab/e2e.sh exited 2; stderr tail:\nlab busy ==> expected: <0> but was: <2>",
                outcomes.get("e2e.sh exit status"));
    }

    @Test
    void aSkipIsSkippedOutsideCiAndFailsUnderCi() throws Throwable {
        List<String> lines = List.of("SKIP no-capabilities: setpriv (util-linux) missing");
        assertEquals("aborted: no-capabilities: setpriv (util-linux) missing",
                outcomes(LabScript.verdicts("e2e.sh", lines, 0, 1, false, "")).get(
                        "SKIP no-capabilities: setpriv (util-linux) missing"));
        assertEquals("failed: no-capabilities skipped (setpriv (util-linux) missing), and CI=true: lab checks must"
                + " not be skipped in CI", outcomes(LabScript.verdicts("e2e.sh", lines, 0, 1, true, "")).get(
                        "SKIP no-capabilities: setpriv (util-linux) missing"));
    }

    @Test
    void aMetricWithoutValueOrUnitFails() throws Throwable {
        // metric NAME "$unset" ms prints two spaces; metric NAME 5 prints no unit.
        List<String> lines = List.of("PASS a: fine", "METRIC join_ms  ms", "METRIC gap_ms 5", "METRIC ok 0 Gbit/s");
        Map<String, String> outcomes = outcomes(LabScript.verdicts("x.sh", lines, 0, 1, false, ""));
        assertEquals("failed: METRIC join_ms wants 'value unit', got ' ms'", outcomes.get("METRIC join_ms  ms"));
        assertEquals("failed: METRIC gap_ms wants 'value unit', got '5'", outcomes.get("METRIC gap_ms 5"));
        assertEquals("passed", outcomes.get("METRIC ok 0 Gbit/s"));
    }

    @Test
    void onlyVerdictLinesCount() throws Throwable {
        // Words that merely start like a verdict, the summary, notes: none is a check.
        List<String> lines = List.of("PASSED: no", "FAILURE x: no", "e2e: 0 passed, 0 failed", "# PASS x: no", "PASS",
                "PASS bare-name", "  PASS indented: no");
        Map<String, String> outcomes = outcomes(LabScript.verdicts("x.sh", lines, 0, 1, false, ""));
        assertEquals(List.of("PASS bare-name", "x.sh checks printed: 1 (at least 1)", "x.sh exit status"),
                List.copyOf(outcomes.keySet()));
    }

    @Test
    void aWrapperMustDeclareAtLeastOneCheck() {
        assertThrows(IllegalArgumentException.class, () -> LabScript.verdicts("x.sh", THREE_PASSED, 0, 0, false, ""));
    }

    @Test
    void runsAScriptAndKeepsItsMetricsAndStderr(@TempDir Path lab) throws Throwable {
        Files.writeString(lab.resolve("canned.sh"), """
                echo "PASS one: $LNLB_CANNED"
                echo "METRIC answer 42 things"
                echo "to the log" >&2
                echo "FAIL two: broke"
                exit 3
                """);
        Map<String, String> outcomes = outcomes(LabScript.execute(lab, "canned.sh", 2, Map.of("LNLB_CANNED", "given"), false));
        assertEquals("passed", outcomes.get("PASS one: given"));
        assertEquals("failed: two: broke", outcomes.get("FAIL two: broke"));
        assertEquals("passed", outcomes.get("canned.sh checks printed: 2 (at least 2)"));
        assertEquals("failed: lab/canned.sh exited 3; stderr tail:\nto the log ==> expected: <0> but was: <3>",
                outcomes.get("canned.sh exit status"));
        assertEquals(List.of("METRIC answer 42 things"), Files.readAllLines(Path.of("target", "canned-metrics.txt")));
    }

    /** Runs every test: display name -> "passed", "failed: message" or "aborted: message", in order. */
    private static Map<String, String> outcomes(List<DynamicTest> tests) throws Throwable {
        Map<String, String> outcomes = new LinkedHashMap<>();
        for (DynamicTest test : tests) {
            String outcome;
            try {
                test.getExecutable().execute();
                outcome = "passed";
            } catch (AssertionFailedError e) {
                outcome = "failed: " + e.getMessage();
            } catch (TestAbortedException e) {
                outcome = "aborted: " + e.getMessage();
            }
            outcomes.put(test.getDisplayName(), outcome);
        }
        return outcomes;
    }
}
