package lnlb.tap.lab;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fault injection in a real 3-node cluster under continuous load, as JUnit tests: runs
 * {@code lab/faults.sh} (kill -9 and restart, SIGSTOP beyond the tolerance and SIGCONT, link down/up,
 * a partition from the other nodes but not from the client, 5 % and 20 % loss and 20 ms jitter on
 * the nodes' links, kill -9 failover time with heartbeat 100 ms x 3), one test per check (see
 * {@link LabScript}). Needs root, nft and python3; under {@code CI=true} a missing root fails.
 */
class FaultsLabIT {
    @TestFactory
    Stream<DynamicTest> faults() throws Exception {
        return LabScript.run("faults.sh");
    }
}
