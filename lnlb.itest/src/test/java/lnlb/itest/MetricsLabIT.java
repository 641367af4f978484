package lnlb.itest;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Metrics as monitoring tools read them: {@code lab/metrics.sh} runs two runtime-jar nodes of this
 * build writing their metrics textfile, checks each file with {@code promtool check metrics}, runs
 * prometheus-node-exporter's textfile collector in a node's namespace and compares what it serves
 * with {@code lnlbctl stats} and {@code lnlbctl nodes}; the runtime listens on nothing, and a
 * stopped node's file goes. One test per check (see {@link LabScript}). Needs root; under
 * {@code CI=true} a missing root fails instead of skipping.
 */
class MetricsLabIT {
    /**
     * cluster-formed, n1-textfile, n2-textfile, exporter-serves, counters-match, view-matches,
     * lnlbctl-formats, no-listener, n2-textfile-removed, view-follows.
     */
    static final int CHECKS = 10;

    @TestFactory
    Stream<DynamicTest> nodeExporterReadsTheTextfile() throws Exception {
        return LabScript.run("metrics.sh", CHECKS, Map.of(
                "LNLB_RUNTIME_DIR", System.getProperty("lnlb.runtime.dir"),
                "LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
}
