package lnlb.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Formatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The counters table, and in watch mode the change per second of the counters that moved. */
class CounterCommandsTest {
    @Test
    void countersThatMovedShowTheirRate() {
        Map<String, Long> before = new LinkedHashMap<>();
        before.put("frames.in", 1000L);
        before.put("malformed", 3L);
        Map<String, Long> now = new LinkedHashMap<>(before);
        now.put("frames.in", 3000L);
        String table = CounterCommands.counters(new Formatter(java.util.Locale.ROOT), "nlb0 after 2 s", now, before, 2).toString();
        assertEquals("""
                nlb0 after 2 s:
                  frames.in                              3,000  +1,000.0/s
                  malformed                                  3
                """, table);
    }
}
