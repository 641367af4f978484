package lnlb.itest;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Affinity per port rule, and drain (issue 13): runs {@code lab/affinity.sh}, three namespaces
 * running the runtime jar of this build: iperf3 and a client's connections on one node by default
 * (source affinity), rules changed live under load (no UDP request answered twice, no HTTP request
 * failed, no stream broken), {@code tcp:80:connection} spreading one client, a UDP rule, a drop
 * rule, network affinity, drain and undrain, drain --leave under load and the rolling restart, a
 * node with other rules refused. One test per check (see {@link LabScript}). Needs root; under
 * {@code CI=true} a missing root fails instead of skipping.
 */
class AffinityLabIT {
    /**
     * cluster formed; default iperf3, client on one node, clients spread, port 23 answers; rules live,
     * no double, no failure; connection spreads, iperf3 with rules, UDP rule, drop rule; network;
     * drain shown, no new, undrain share; drain no new sessions, no failure, streams complete, leave;
     * refused with other rules; rolling restart.
     */
    static final int CHECKS = 22;

    @TestFactory
    Stream<DynamicTest> affinityAndDrain() throws Exception {
        return LabScript.run("affinity.sh", CHECKS, Map.of(
                "LNLB_RUNTIME_DIR", Path.of(System.getProperty("lnlb.runtime.dir")).toAbsolutePath().normalize().toString(),
                "JAVA_HOME", System.getProperty("java.home"),
                "LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
}
