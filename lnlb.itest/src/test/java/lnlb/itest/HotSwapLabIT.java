package lnlb.itest;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Hot swap of the tcp and udp trackers under real load, in the lab: runs {@code lab/hotswap.sh}
 * (three namespaces running the runtime jar, ab, curl, a UDP request/response client and 10
 * long-lived streams; the tcp bundle updated and the udp bundle stopped and started through
 * lnlbctl on every node); one test per check (see {@link LabScript}). Needs root; under
 * {@code CI=true} a missing root fails.
 */
class HotSwapLabIT {
    /**
     * The checks hotswap.sh prints: cluster-formed, modules x 3, streams-outlive-swaps, tcp-update
     * x 3, udp-restart x 3, streams-intact, http-ab, http-curl, per-connection-spread, udp-answered,
     * udp-per-flow-spread, swap-counters, still-member x 3, sigterm-leave.
     */
    static final int CHECKS = 22;

    @TestFactory
    Stream<DynamicTest> hotSwap() throws Exception {
        return LabScript.run("hotswap.sh", CHECKS, Map.of(
                "LNLB_RUNTIME_DIR", Path.of(System.getProperty("lnlb.runtime.dir")).toAbsolutePath().normalize().toString(),
                "JAVA_HOME", System.getProperty("java.home"),
                "LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
}
