package lnlb.tap.lab;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The link in the lab as JUnit tests: runs {@code lab/e2e.sh} (namespaces, bridge, one node running
 * {@link AcceptAllNode}, real clients and servers, then {@link LinkChecks}); one test per check
 * (see {@link LabScript}). Needs root; under {@code CI=true} a missing root fails.
 *
 * <p>Runs in the {@code lab} surefire execution of lnlb.tap (phase integration-test):
 * {@code ./mvnw -pl lnlb.core,lnlb.module.default,lnlb.tap verify}; {@code -Dlnlb.lab.skip=true}
 * leaves it out. The node JVMs get this JVM's class path; {@code LNLB_NODE_MAIN} /
 * {@code LNLB_NODE_ARGS} swap the harness for another main.
 */
class LabIT {
    /**
     * The checks e2e.sh prints: 12 of its own (offloads, TAP, promiscuity, sysctls, 3 curl, ARP,
     * fdb, iperf3, receive-ring, teardown), transmit-source-is-node-mac, and LinkChecks': transmit
     * 2, receive 2 (with recv(2), the ring's fallback), errors 19, nocaps 1 (a SKIP without
     * setpriv), tunmissing 2.
     */
    static final int CHECKS = 39;

    @TestFactory
    Stream<DynamicTest> e2e() throws Exception {
        return LabScript.run("e2e.sh", CHECKS);
    }
}
