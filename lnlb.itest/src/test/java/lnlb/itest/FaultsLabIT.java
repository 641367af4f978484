package lnlb.itest;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fault injection in a real 3-node cluster under continuous load, as JUnit tests: runs
 * {@code lab/faults.sh} (three node namespaces running the runtime jar of this build, the cluster
 * declared in a file per node, views read with lnlbctl and timed from the nodes' log lines; kill -9
 * and restart, SIGSTOP beyond the tolerance and SIGCONT, link down/up, a partition from the other
 * nodes but not from the client, 5 % and 20 % loss and 20 ms jitter on the nodes' links, kill -9
 * failover time with heartbeat 100 ms x 3), one test per check (see {@link LabScript}). Needs root,
 * nft, tcpdump and python3; under {@code CI=true} a missing root fails.
 */
class FaultsLabIT {
    /**
     * The checks faults.sh prints with {@code environment}: cluster-formed; kill 4 and stop 4 (2 of
     * report, 2 of their own); the link cut and the partition 4 each with the majority rule
     * (report 2, no-split-brain, heals), 3 without it ({@code LNLB_QUORUM=no}) unless
     * {@code LNLB_STRICT_SPLIT} asserts the split; loss5, loss20-recovers, jitter; fast-cluster-formed,
     * one fast-victim-recovered per {@code LNLB_FAILOVER_RUNS} (3), fast-failover.
     */
    static int checks(Map<String, String> environment) {
        boolean splitChecked = !"no".equals(environment.getOrDefault("LNLB_QUORUM", "yes"))
                || !environment.getOrDefault("LNLB_STRICT_SPLIT", "").isEmpty();
        int runs = Integer.parseInt(environment.getOrDefault("LNLB_FAILOVER_RUNS", "3"));
        return 1 + 4 + 4 + 2 * (splitChecked ? 4 : 3) + 3 + 1 + runs + 1;
    }

    /** With the environment of this run: 25 by default. */
    static final int CHECKS = checks(System.getenv());

    @TestFactory
    Stream<DynamicTest> faults() throws Exception {
        return LabScript.run("faults.sh", CHECKS, Map.of(
                "LNLB_RUNTIME_DIR", Path.of(System.getProperty("lnlb.runtime.dir")).toAbsolutePath().normalize().toString(),
                "JAVA_HOME", System.getProperty("java.home"),
                "LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
}
