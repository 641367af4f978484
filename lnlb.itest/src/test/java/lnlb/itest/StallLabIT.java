package lnlb.itest;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every node stalled at once (issue 10): runs {@code lab/stall.sh}, three namespaces running the
 * runtime jar of this build (heartbeat 200 ms x tolerance 5) under HTTP and UDP request/response load,
 * every JVM SIGSTOPped for 3 s and resumed, five times: one view after each round and no UDP request
 * answered by two nodes; then two nodes: both stopped and resumed (one view, no double answer), and
 * one killed with kill -9 (the survivor keeps serving). One test per check (see {@link LabScript});
 * the times to one view and to service in {@code target/stall-metrics.txt}. Needs root; under
 * {@code CI=true} a missing root fails instead of skipping.
 */
class StallLabIT {
    /**
     * The cluster formed; one view and no double answer after each of 5 rounds of 3 nodes (10), a view of 2 after node
     * 3 leaves, no double answer over all rounds, one view and no double answer after the 2-node
     * stall (2), the survivor serves after a kill -9 and nobody answers twice (2).
     */
    static final int CHECKS = 17;

    @TestFactory
    Stream<DynamicTest> everyNodeStalls() throws Exception {
        return LabScript.run("stall.sh", CHECKS, Map.of(
                "LNLB_RUNTIME_DIR", Path.of(System.getProperty("lnlb.runtime.dir")).toAbsolutePath().normalize().toString(),
                "JAVA_HOME", System.getProperty("java.home"),
                "LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
}
