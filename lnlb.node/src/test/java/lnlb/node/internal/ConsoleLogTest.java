package lnlb.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import org.junit.jupiter.api.Test;
import org.osgi.service.log.LogLevel;

/** One line per log entry, with what went wrong past the reflective wrappers. */
class ConsoleLogTest {
    @Test
    void aRefusedConfigurationIsOneLineThatSaysWhy() {
        Throwable refused = new InvocationTargetException(new IllegalArgumentException(
                "cluster nlb0 (/etc/lnlb/lnlb.cluster-nlb0.cfg) not started: vip must be an IP address: 10.0.0.300",
                new IllegalArgumentException("vip must be an IP address: 10.0.0.300")));
        String line = ConsoleLog.format(0, "CM Event Dispatcher", LogLevel.ERROR, "org.apache.felix.scr",
                "bundle lnlb.core:0.1.0 (1)[lnlb.core.internal.component.ClusterComponent(5)] : "
                        + "Error during instantiation of the implementation object", refused);
        assertTrue(line.endsWith(" [CM Event Dispatcher] ERROR org.apache.felix.scr - "
                + "[lnlb.core.internal.component.ClusterComponent(5)] Error during instantiation of the implementation object: "
                + "cluster nlb0 (/etc/lnlb/lnlb.cluster-nlb0.cfg) not started: vip must be an IP address: 10.0.0.300"), line);
        assertTrue(!line.contains("\n"));
    }

    @Test
    void felixLogsCopiesAreReadToo() {
        // What Felix Log hands a listener: copies whose message is "original.Class: message".
        Exception copy = new LogException("java.lang.reflect.InvocationTargetException: null",
                new LogException("java.lang.IllegalArgumentException: cluster bad (f.cfg) not started: vip must be an IP address: x", null));
        assertEquals("cluster bad (f.cfg) not started: vip must be an IP address: x", ConsoleLog.reason(copy));
        assertEquals("NullPointerException: y", ConsoleLog.reason(new LogException("java.lang.NullPointerException: y", null)));
    }

    @Test
    void atInfoOnlyWarningsAndWhatMattersFromOtherBundles() {
        assertTrue(ConsoleLog.shown(LogLevel.INFO, LogLevel.ERROR, "Events.Framework"));
        assertTrue(ConsoleLog.shown(LogLevel.INFO, LogLevel.INFO, "LogService.org.apache.felix.fileinstall"));
        assertTrue(!ConsoleLog.shown(LogLevel.INFO, LogLevel.INFO, "Events.Service"));
        assertTrue(!ConsoleLog.shown(LogLevel.INFO, LogLevel.INFO, "ROOT"));
        assertTrue(ConsoleLog.shown(LogLevel.DEBUG, LogLevel.INFO, "Events.Service"));
        assertTrue(!ConsoleLog.shown(LogLevel.WARN, LogLevel.INFO, "LogService.x"));
    }

    /** Stands for org.apache.felix.log.LogException. */
    private static final class LogException extends Exception {
        LogException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String toString() {
            return "org.apache.felix.log.LogException: " + getMessage();
        }
    }

    @Test
    void otherExceptionsKeepTheirType() {
        assertEquals("NullPointerException: x", ConsoleLog.reason(new RuntimeException(new NullPointerException("x"))));
        assertEquals("java.lang.NullPointerException", ConsoleLog.reason(new NullPointerException()));
        assertEquals("IllegalStateException: loop stopped", ConsoleLog.reason(new IllegalStateException("loop stopped")));
    }

    @Test
    void theLevelDefaultsToInfo() {
        assertEquals(LogLevel.INFO, ConsoleLog.level(null));
        assertEquals(LogLevel.DEBUG, ConsoleLog.level(" debug "));
        assertEquals(LogLevel.INFO, ConsoleLog.level("loud"));
    }
}
