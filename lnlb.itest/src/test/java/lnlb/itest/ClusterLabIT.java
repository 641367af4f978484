package lnlb.itest;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A real cluster in the lab as JUnit tests: runs {@code lab/cluster.sh} (four node namespaces running
 * the runtime jar of this build, two clusters declared in files per node, nginx, curl and a bulk TCP
 * stream: spread over 30 client sources, per-connection affinity, ARP, bulk TCP, kill -9 of the
 * coordinator under load, a join under 20 streams, LEAVE on SIGTERM, all read through lnlbctl); one
 * test per check (see {@link LabScript}). Needs root; under {@code CI=true} a missing root fails.
 */
class ClusterLabIT {
    /**
     * The checks cluster.sh prints: cluster-formed, offloads-on, two-interfaces x 3, http_checks
     * 2 x 3, arp_checks 2, iperf3-vip, failover 3, rejoin 2, join-under-load, streams 2, join 2,
     * sigterm 2, arp_checks -end 2.
     */
    static final int CHECKS = 28;

    @TestFactory
    Stream<DynamicTest> cluster() throws Exception {
        return LabScript.run("cluster.sh", CHECKS, Map.of(
                "LNLB_RUNTIME_DIR", Path.of(System.getProperty("lnlb.runtime.dir")).toAbsolutePath().normalize().toString(),
                "JAVA_HOME", System.getProperty("java.home"),
                "LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
}
