package lnlb.itest;

import java.util.Map;
import java.util.stream.Stream;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The Debian package of this build ({@code lnlb.runtime/target/lnlb_VERSION_all.deb}) on this
 * machine: {@code lab/package.sh} installs it with apt-get, runs the installed unit's ExecStart as
 * systemd would (its user, environment and capabilities), asks the installed {@code lnlbctl nodes},
 * stops it with SIGTERM, removes it (only configuration stays) and purges it (nothing stays). The
 * package is purged on every exit. One test per check (see {@link LabScript}). Needs root; under
 * {@code CI=true} a missing root fails instead of skipping.
 */
class PackageLabIT {
    /** installs, files, unit, starts, capabilities, stops, removes, purges. */
    static final int CHECKS = 8;

    @TestFactory
    Stream<DynamicTest> installRunRemove() throws Exception {
        return LabScript.run("package.sh", CHECKS, Map.of("LNLB_RUNTIME_DIR", System.getProperty("lnlb.runtime.dir")));
    }
}
