package lnlb.tap.lab;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A real cluster in the lab as JUnit tests: runs {@code lab/cluster.sh} (four node namespaces
 * running {@link LabNode} with two VIPs each, nginx, curl and iperf3: spread and affinity over 30
 * client sources, ARP, bulk TCP, kill -9 of the coordinator under load, a join under 20 streams,
 * LEAVE on SIGTERM); one test per check (see {@link LabScript}). Needs root; under {@code CI=true}
 * a missing root fails. {@code LNLB_CLUSTER_MAIN} / {@code LNLB_CLUSTER_ARGS} swap the launcher.
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
        return LabScript.run("cluster.sh", CHECKS);
    }
}
