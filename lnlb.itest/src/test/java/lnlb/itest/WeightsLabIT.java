package lnlb.itest;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Weights that balance (issue 16): runs {@code lab/weights.sh}, three namespaces running the runtime
 * jar of this build with the default weight mode (300 new UDP flows split within +-15 % of a third,
 * five runs), then in loadavg mode with a load of their own through {@code weight.source}: an idle
 * cluster keeps weight-only view changes within the rate, a loaded node's share falls and settles.
 * One test per check (see {@link LabScript}). Needs root; under {@code CI=true} a missing root fails
 * instead of skipping.
 */
class WeightsLabIT {
    /** cluster formed, 5 splits and their sum, no weight change in the default mode, idle rate, share falls, share settles. */
    static final int CHECKS = 11;

    @TestFactory
    Stream<DynamicTest> weightsBalance() throws Exception {
        return LabScript.run("weights.sh", CHECKS, Map.of(
                "LNLB_RUNTIME_DIR", Path.of(System.getProperty("lnlb.runtime.dir")).toAbsolutePath().normalize().toString(),
                "JAVA_HOME", System.getProperty("java.home"),
                "LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
}
