package lnlb.itest;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A hostile host on the segment (issue 10): runs {@code lab/hostile.sh}, three namespaces running the
 * runtime jar of this build with a cluster key, HTTP (new connections and keep-alive) and UDP
 * request/response from many sources through the VIP, while a fourth host without the key sends
 * forged and malformed cluster frames ({@code lab/forge.py}) for 30 s; then the same without a key.
 * With the key: no view change, no UDP request answered by two nodes, no failed request, loop
 * stalls under the stated bound, every forged frame counted as a drop in {@code lnlbctl stats};
 * without it: no UDP request answered by two nodes. One test per check (see {@link LabScript});
 * figures in {@code target/hostile-metrics.txt}. Needs root; under {@code CI=true} a missing root
 * fails instead of skipping.
 */
class HostileLabIT {
    /**
     * Per phase the cluster formed (2). With a key: forge.py heard the cluster, no view change, one owner per UDP request, every UDP
     * request answered, no HTTP failure, loop stalls and drops counted on each of 3 nodes (4 + 1 +
     * 3 + 3); without a key: forge.py heard the cluster (1); its double answers are reported, not asserted.
     */
    static final int CHECKS = 14;

    @TestFactory
    Stream<DynamicTest> hostileHost() throws Exception {
        return LabScript.run("hostile.sh", CHECKS, Map.of(
                "LNLB_RUNTIME_DIR", Path.of(System.getProperty("lnlb.runtime.dir")).toAbsolutePath().normalize().toString(),
                "JAVA_HOME", System.getProperty("java.home"),
                "LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
}
