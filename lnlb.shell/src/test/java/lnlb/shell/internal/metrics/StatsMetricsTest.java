package lnlb.shell.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every counter of stats, the view and its nodes, in both text formats. */
class StatsMetricsTest {
    private final FakeAdmin admin = new FakeAdmin();

    @Test
    void everyCounterOfStatsIsASampleWithItsValue() {
        String text = MetricsText.render(StatsMetrics.collect(admin, null), MetricsFormat.PROMETHEUS);
        for (Map.Entry<String, Long> c : admin.counters.entrySet()) {
            String name = c.getKey();
            CounterMetric m = CounterMetric.of(name);
            String sample = m.family() + (m.type() == MetricFamily.Type.COUNTER ? "_total" : "");
            String labels = name.startsWith("jvm.") ? ""
                    : name.startsWith("decisions.protocol.")
                    ? "{cluster=\"web\",node=\"" + FakeAdmin.SELF + "\",protocol=\"" + name.substring(19) + "\"}"
                    : "{cluster=\"web\",node=\"" + FakeAdmin.SELF + "\"}";
            if (name.startsWith("decisions.protocol.")) {
                sample = "lnlb_decisions_total";
            }
            String value = MetricsText.number(m.value(c.getValue()));
            assertTrue(text.contains("\n" + sample + labels + " " + value + "\n"), name + " -> " + sample + labels + " " + value);
        }
    }

    @Test
    void namesFollowPrometheusConventions() {
        assertEquals("lnlb_swap_move_seconds", CounterMetric.of("swap.move.ms").family());
        assertEquals("lnlb_jvm_gc_seconds", CounterMetric.of("jvm.gc.ms").family());
        assertEquals(MetricFamily.Type.COUNTER, CounterMetric.of("jvm.gc.ms").type());
        assertEquals("0.043", MetricsText.number(CounterMetric.of("jvm.gc.ms").value(43)));
        assertEquals("lnlb_wire_bad_tag", CounterMetric.of("wire.bad.tag").family());
        // a counter stats adds later: the same rule, no code change
        assertEquals(MetricFamily.Type.COUNTER, CounterMetric.of("wire.new.thing").type());
        assertEquals("lnlb_link_queue_wait_seconds", CounterMetric.of("link.queue.wait.ms").family());
        assertEquals(MetricFamily.Type.GAUGE, CounterMetric.of("link.queue.wait.ms").type());
        assertThrows(IllegalArgumentException.class, () -> new MetricFamily("lnlb_x_total", MetricFamily.Type.COUNTER, "", "h"));
        assertThrows(IllegalArgumentException.class, () -> new MetricFamily("lnlb_x", MetricFamily.Type.GAUGE, "seconds", "h"));
    }

    @Test
    void theViewAndItsNodes() {
        String text = MetricsText.render(StatsMetrics.collect(admin, null), MetricsFormat.PROMETHEUS);
        String here = "cluster=\"web\",node=\"" + FakeAdmin.SELF + "\"";
        assertLine(text, "lnlb_cluster_up{cluster=\"web\"} 1");
        assertLine(text, "lnlb_cluster_up{cluster=\"db\"} 0");
        assertLine(text, "lnlb_cluster_state{cluster=\"db\",state=\"down\"} 1");
        assertLine(text, "lnlb_cluster_state{cluster=\"web\",state=\"member\"} 1");
        assertLine(text, "lnlb_cluster_state{cluster=\"web\",state=\"joining\"} 0");
        assertLine(text, "lnlb_view_epoch{" + here + "} 7");
        assertLine(text, "lnlb_view_members{" + here + "} 3");
        assertLine(text, "lnlb_weight{" + here + "} 7");
        assertLine(text, "lnlb_heartbeat_interval_seconds{" + here + "} 0.5");
        assertLine(text, "lnlb_node_weight{cluster=\"web\",node=\"52:54:00:12:34:02\"} 14");
        assertLine(text, "lnlb_node_share_ratio{cluster=\"web\",node=\"52:54:00:12:34:02\"} 0.25");
        assertLine(text, "lnlb_node_state{cluster=\"web\",node=\"52:54:00:12:34:03\",state=\"silent\"} 1");
        assertLine(text, "lnlb_node_coordinator{" + here + "} 1");
        assertLine(text, "lnlb_node_last_heard_seconds{cluster=\"web\",node=\"52:54:00:12:34:03\"} 4.2");
        assertLine(text, "lnlb_module_sessions{" + here + ",protocol=\"6\",module=\"lnlb.module.tcp\"} 42");
        assertTrue(text.contains("weight_mode=\"manual\""), text);
        assertTrue(!text.contains("module=\"x\""), "a module that does not tell its size has no sample");
        // one family each: the samples of a name are together, after its one HELP and TYPE
        Matcher types = Pattern.compile("(?m)^# TYPE (\\S+) ").matcher(text);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (types.find()) {
            assertTrue(seen.add(types.group(1)), "TYPE twice: " + types.group(1));
        }
    }

    @Test
    void oneClusterOrARefusal() {
        String text = MetricsText.render(StatsMetrics.collect(admin, "web"), MetricsFormat.PROMETHEUS);
        assertTrue(!text.contains("cluster=\"db\""), text);
        assertThrows(IllegalArgumentException.class, () -> StatsMetrics.collect(admin, "nope"));
    }

    @Test
    void theTwoFormatsNameCountersTheirWay() {
        List<MetricFamily> families = StatsMetrics.collect(admin, null);
        String om = MetricsText.render(families, MetricsFormat.OPENMETRICS);
        String prom = MetricsText.render(families, MetricsFormat.PROMETHEUS);
        assertTrue(om.contains("\n# TYPE lnlb_frames_in counter\n"), om);
        assertTrue(om.contains("\n# TYPE lnlb_jvm_gc_seconds counter\n# UNIT lnlb_jvm_gc_seconds seconds\n"), om);
        assertTrue(om.endsWith("\n# EOF\n"), "OpenMetrics ends with # EOF");
        assertTrue(prom.contains("\n# TYPE lnlb_frames_in_total counter\n"), prom);
        assertTrue(!prom.contains("# UNIT") && !prom.contains("# EOF"), prom);
    }

    @Test
    void labelValuesAndHelpAreEscaped() {
        MetricFamily f = new MetricFamily("lnlb_x", MetricFamily.Type.GAUGE, "", "a \"quoted\" back\\slash\nline");
        f.add(1, "cluster", "a\"b\\c\nd");
        String prom = MetricsText.render(List.of(f), MetricsFormat.PROMETHEUS);
        assertEquals("# HELP lnlb_x a \"quoted\" back\\\\slash\\nline\n# TYPE lnlb_x gauge\nlnlb_x{cluster=\"a\\\"b\\\\c\\nd\"} 1\n", prom);
        String om = MetricsText.render(List.of(f), MetricsFormat.OPENMETRICS);
        assertTrue(om.startsWith("# HELP lnlb_x a \\\"quoted\\\" back\\\\slash\\nline\n"), om);
    }

    private static void assertLine(String text, String line) {
        assertTrue(text.contains("\n" + line + "\n"), "no line " + line + " in\n" + text);
    }
}
