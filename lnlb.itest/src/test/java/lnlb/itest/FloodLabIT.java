package lnlb.itest;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Bounded memory under a real SYN flood as JUnit tests: runs {@code lab/flood.sh} (three namespaces
 * running the runtime jar of this build in 128 MiB heaps, the tcp tracker bounded at 50,000
 * connections by its configuration file; ten long-lived streams and a curl loop from ten sources;
 * hping3 sends SYNs from a million random sources to the VIP): every node's engine sees them, heap
 * use stays under the cap, no stream or request fails, the view holds, and the tracker counts what it
 * evicted ({@code lnlbctl stats}). One test per check (see {@link LabScript}). Needs root and hping3
 * ({@code lab/install.sh}); under {@code CI=true} a missing root fails. {@code LNLB_FLOOD_FRAMES}
 * makes the flood smaller or larger.
 */
class FloodLabIT {
    /**
     * The checks flood.sh prints: cluster-formed, flood-sent, flood-distinct-sources,
     * streams-span-flood, frames-reach x 3, streams-intact, curl-loop, view-stable, heap-under-cap
     * x 3, shed-counted x 3.
     */
    static final int CHECKS = 16;

    @TestFactory
    Stream<DynamicTest> flood() throws Exception {
        return LabScript.run("flood.sh", CHECKS, Map.of(
                "LNLB_RUNTIME_DIR", Path.of(System.getProperty("lnlb.runtime.dir")).toAbsolutePath().normalize().toString(),
                "JAVA_HOME", System.getProperty("java.home"),
                "LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
}
