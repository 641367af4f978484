package lnlb.itest;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Least privilege, for real: runs {@code lab/caps.sh}, which starts the runtime jar of this build
 * ({@code lnlb.runtime/target}) in lab namespaces as {@code lnlb.service} would, with only
 * CAP_NET_ADMIN and CAP_NET_RAW (bounding and ambient sets, no_new_privs; as root and as an
 * unprivileged user), next to a plain root node: the capability sets, the join, HTTP through the
 * VIP, no TCP/UDP socket, the control socket refused to other users, and a clear failure without
 * CAP_NET_RAW. One test per check (see {@link LabScript}). Needs root; under {@code CI=true} a
 * missing root fails instead of skipping.
 */
class CapsLabIT {
    /**
     * The checks caps.sh prints: root-node; for root-caps and user-caps each joins, capabilities,
     * serves, no-listener, admin-socket, leaves; no-raw-fails-clearly.
     */
    static final int CHECKS = 14;

    @TestFactory
    Stream<DynamicTest> leastPrivilege() throws Exception {
        return LabScript.run("caps.sh", CHECKS, Map.of(
                "LNLB_RUNTIME_DIR", System.getProperty("lnlb.runtime.dir"),
                "LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
}
