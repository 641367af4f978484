package lnlb.core.internal.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which configuration changes restart a cluster (everything but the weights) and what the log says. */
class ClusterSettingsTest {
    private static Map<String, Object> configuration() {
        Map<String, Object> p = new HashMap<>();
        p.put("vip", "10.0.0.10");
        p.put("device", "eth0");
        p.put("tolerance", 3);
        p.put("weight.mode", "loadavg");
        p.put("service.pid", "lnlb.cluster~nlb0");
        p.put("component.id", 7L);
        return p;
    }

    @Test
    void weightsAndFrameworkPropertiesDoNotRestart() {
        Map<String, Object> changed = configuration();
        changed.put("weight.mode", "manual");
        changed.put("weight", 7);
        changed.put("component.id", 8L);
        changed.put("felix.fileinstall.filename", "file:/etc/lnlb/lnlb.cluster-nlb0.cfg");
        changed.put("link.target", "(lnlb.link.type=memory)");
        assertEquals(ClusterSettings.of(configuration()), ClusterSettings.of(changed));
    }

    @Test
    void anyOtherKeyRestartsAndTheLogSaysWhich() {
        Map<String, Object> changed = configuration();
        changed.put("tolerance", 4);
        changed.put("resync.count", 1L);
        changed.put("groups", new String[] {"a", "b"});
        ClusterSettings before = ClusterSettings.of(configuration());
        ClusterSettings after = ClusterSettings.of(changed);
        assertNotEquals(before, after);
        assertEquals("groups (none) -> [a, b], resync.count (none) -> 1, tolerance 3 -> 4", after.changedFrom(before));
    }

    @Test
    void aNewKeyRestartsButIsNeverLogged() {
        Map<String, Object> changed = configuration();
        changed.put("key", "00112233445566778899aabbccddeeff");
        ClusterSettings before = ClusterSettings.of(configuration());
        ClusterSettings after = ClusterSettings.of(changed);
        assertNotEquals(before, after);
        assertEquals("key changed", after.changedFrom(before));
    }
}
