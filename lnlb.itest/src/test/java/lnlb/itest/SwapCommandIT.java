package lnlb.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * {@code lnlb:swap}: a tracker bundle updated in one command that waits until the bundle serves
 * its protocols again, and fails, saying why, when it cannot (which {@code felix:update} only
 * prints). The traffic-level proof of a hot swap is {@link HotSwapIT}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SwapCommandIT extends ItestBase {
    private static final long WAIT_MILLIS = 10_000;

    @Configuration
    public Option[] config() {
        return new Option[] {base(), reactorBundle("module.udp")};
    }

    @Test
    public void swapUpdatesTheBundleAndWaitsUntilItServesAgain() throws Exception {
        await("udp serving 17", WAIT_MILLIS, () -> quiet("lnlb:modules").contains("lnlb.module.udp"));
        Bundle udp = bundle("lnlb.module.udp");
        long modifiedBefore = udp.getLastModified();
        String url = new File(System.getProperty("lnlb.bundle.module.udp")).toURI().toString();
        String answer = run("lnlb:swap lnlb.module.udp " + url);
        assertTrue(answer, answer.matches("lnlb\\.module\\.udp \\S+ -> \\S+ \\(bundle \\d+\\): protocol\\(s\\) \\[17\\] served by it again after \\d+ ms"));
        assertEquals(Bundle.ACTIVE, udp.getState());
        assertTrue("updated: last modified " + modifiedBefore + " -> " + udp.getLastModified(),
                udp.getLastModified() > modifiedBefore);
        assertTrue(run("lnlb:modules"), run("lnlb:modules").lines().anyMatch(l -> l.startsWith("17 ") && l.contains("serving")));

        // A plain path, and no jar at all: the bundle's own location (here a file: URL).
        long modified = udp.getLastModified();
        String fromPath = run("lnlb:swap lnlb.module.udp " + System.getProperty("lnlb.bundle.module.udp"));
        assertTrue(fromPath, fromPath.contains("protocol(s) [17] served by it again"));
        String fromOrigin = run("lnlb:swap lnlb.module.udp");
        assertTrue(fromOrigin, fromOrigin.contains("protocol(s) [17] served by it again"));
        assertTrue("updated twice more", udp.getLastModified() > modified);
    }

    @Test
    public void whatCannotBeSwappedIsRefusedWithTheReason() throws Exception {
        await("udp serving 17", WAIT_MILLIS, () -> quiet("lnlb:modules").contains("lnlb.module.udp"));
        assertEquals("swap: no bundle no.such.bundle", run("lnlb:swap no.such.bundle"));
        assertTrue(run("lnlb:swap lnlb.shell"), run("lnlb:swap lnlb.shell").startsWith("swap: lnlb.shell serves no protocol"));
        String missing = run("lnlb:swap lnlb.module.udp file:/nonexistent/lnlb.module.udp.jar");
        assertTrue(missing, missing.startsWith("swap: cannot read file:/nonexistent/lnlb.module.udp.jar"));
        assertEquals("the udp bundle is untouched", Bundle.ACTIVE, bundle("lnlb.module.udp").getState());
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }
}
