package lnlb.core.internal.component;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CounterNamesTest {
    @Test
    void camelCaseBecomesDotted() {
        assertEquals("bad.tag", CounterNames.dotted("badTag"));
        assertEquals("reassembly.timeouts", CounterNames.dotted("reassemblyTimeouts"));
        assertEquals("unauthenticated", CounterNames.dotted("unauthenticated"));
        assertEquals("receive.dropped", CounterNames.dotted("receive.dropped"));
        assertEquals("reassembly.dropped.too.many", CounterNames.dotted("reassembly.dropped.tooMany"));
    }

    @Test
    void aGroupKeepsItsOrderUnderItsPrefix() {
        Map<String, Long> group = new LinkedHashMap<>();
        group.put("received", 3L);
        group.put("badTag", 1L);
        group.put("aCounterAddedLater", 7L);
        Map<String, Long> all = new LinkedHashMap<>();
        all.put("frames.in", 9L);
        CounterNames.addGroup(all, "wire", group);
        assertEquals(List.of("frames.in", "wire.received", "wire.bad.tag", "wire.a.counter.added.later"), List.copyOf(all.keySet()));
        assertEquals(7L, all.get("wire.a.counter.added.later"));
    }
}
