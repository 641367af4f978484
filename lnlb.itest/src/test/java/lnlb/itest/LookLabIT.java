package lnlb.itest;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import lnlb.itest.planted.PlantedTable;
import lnlb.tap.lab.LabScript;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Look inside (issue 17): runs {@code lab/look.sh}, three namespaces running the runtime jar of this
 * build, 256 client sources with HTTP and UDP: {@code lnlbctl owner} on every node names the node
 * that answered, {@code lnlbctl conntrack --source} lists the same owner on every node, the digests
 * agree after traffic, a kill -9 and a join, and a table diverged on purpose (the test bundle
 * {@link PlantedTable}, packed from these test classes) is seen by the digest. One test per check
 * (see {@link LabScript}). Needs root; under {@code CI=true} a missing root fails instead of skipping.
 */
class LookLabIT {
    /** See lab/look.sh's header. */
    static final int CHECKS = 14;

    @TestFactory
    Stream<DynamicTest> lookInside() throws Exception {
        Path classes = Path.of(PlantedTable.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return LabScript.run("look.sh", CHECKS, Map.of(
                "LNLB_RUNTIME_DIR", Path.of(System.getProperty("lnlb.runtime.dir")).toAbsolutePath().normalize().toString(),
                "LNLB_ITEST_CLASSES", classes.toString(),
                "JAVA_HOME", System.getProperty("java.home"),
                "LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
}
