package lnlb.shell.internal.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * How one {@code lnlb:stats} counter name becomes a metric: the family name ({@code lnlb_} and the
 * dotted name with underscores; counters get {@code _total} when rendered), its type, unit, the
 * divisor to its base unit (1000: ms to seconds) and its help. The names are an API, as stable as the
 * stats names they come from: a name stats adds later becomes a counter by the same rule (or a
 * gauge in seconds or bytes when it ends in {@code .ms} or {@code .bytes}, as stats' gauges do),
 * with a help that names it.
 */
public record CounterMetric(String family, MetricFamily.Type type, String unit, long divisor, String help) {
    /** The value in the metric's base unit (a division: 43 ms is 0.043, not 0.043000000000000003). */
    public double value(long statsValue) {
        return divisor == 1 ? statsValue : statsValue / (double) divisor;
    }

    private static final Map<String, CounterMetric> KNOWN = new HashMap<>();

    static {
        counter("frames.in", "Frames the link handed to the cluster's engine.");
        counter("datagrams", "IPv4 datagrams the engine decided (to the VIP, well formed).");
        counter("accepted", "Datagrams this node owned and handed to its kernel.");
        counter("not.mine", "Datagrams another node owned (dropped here).");
        counter("held", "Datagrams held while a view change was committing, decided once it had.");
        counter("held.dropped", "Datagrams dropped because the commit window's hold queue was full.");
        counter("buffered", "Frames recorded while joining, replayed once the state was loaded.");
        counter("buffer.dropped", "Frames dropped while joining because the join recorder was full.");
        counter("malformed.datagrams", "Frames or datagrams too short or malformed to decide (dropped).");
        counter("not.for.cluster", "Frames not for the cluster (another destination, ARP for another address).");
        counter("arp.delivered", "ARP frames for the VIP handed to the virtual interface.");
        counter("no.module", "Datagrams no protocol module served (dropped).");
        counter("module.errors", "Protocol module callbacks that threw.");
        counter("deliver.errors", "Datagrams the link failed to deliver to the virtual interface.");
        counter("transmit.errors", "Cluster frames the link failed to send.");
        counter("cluster.messages", "Cluster protocol messages the engine handled.");
        counter("rounds", "Heartbeat rounds this node ran.");
        counter("view.changes", "Views this node switched to.");
        counter("view.changes.weight", "Views that changed weights only (same members).");
        counter("deaths", "Nodes declared dead (missed heartbeats).");
        counter("joins.served", "Joining nodes this node sent the module states to.");
        counter("commit.ack.timeouts", "View changes whose commit acknowledgements timed out.");
        counter("swap.held", "Datagrams held while their protocol's module was being swapped.");
        counter("bad.messages", "Cluster messages that made no sense in this node's state (ignored).");
        counter("swap.dropped", "Datagrams dropped while their protocol had no module (hold queue full or grace over).");
        counter("swap.moves", "State hand-overs between protocol modules (hot swaps).");
        gauge("swap.move.ms", "lnlb_swap_move_seconds", "seconds", 1000, "How long the last state hand-over took.");
        gauge("swap.hold.ms", "lnlb_swap_hold_seconds", "seconds", 1000,
                "How long the last orphaned protocol held its datagrams.");
        counter("forged.own.messages", "Cluster messages under this node's own MAC (forged by another host).");
        counter("wire.received", "Frames given to the cluster protocol's reassembler; each is counted once more under its outcome.");
        counter("wire.decoded", "Cluster frames decoded into a message.");
        counter("wire.not.cluster", "Frames whose EtherType is not the cluster protocol's (dropped).");
        counter("wire.foreign", "Sound frames of another cluster (another VIP) on the same device; not an error.");
        counter("wire.fragments.buffered", "Fragments kept while their message is still incomplete.");
        counter("wire.duplicate.fragments", "Fragments already held for their message (dropped).");
        counter("wire.reassembled", "Messages reassembled from fragments.");
        counter("wire.reassembly.timeouts", "Partial messages dropped because their fragments stopped coming.");
        counter("wire.reassembly.evictions", "Partial messages dropped to stay within the reassembly bounds.");
        counter("wire.reassembly.budget.evictions", "Partial messages dropped to stay within the cluster's reassembly budget.");
        counter("wire.reassembly.quota.evictions", "Partial messages dropped to keep a sender within its quota.");
        counter("wire.reassembly.over.budget", "Fragments dropped with their partial message, which alone would exceed the budget or quota.");
        counter("wire.unauthenticated", "Frames without a tag where the cluster has a key, or with one where it has none (dropped).");
        counter("wire.bad.tag", "Frames whose tag does not verify: another key, or altered (dropped).");
        counter("wire.replayed", "Sealed frames sent again: a counter already accepted or below the replay window (dropped).");
        counter("wire.bad.crc", "Messages whose CRC32 does not match (dropped).");
        counter("wire.bad.body", "Complete messages with a good CRC whose body does not decode (dropped).");
        counter("wire.truncated", "Frames shorter than the headers (dropped).");
        counter("wire.bad.version", "Frames of another protocol version (dropped).");
        counter("wire.unknown.type", "Frames of an unknown message type (dropped).");
        counter("wire.bad.length", "Frames whose length fields lie (dropped).");
        counter("wire.oversized", "Frames announcing a body above the configured maximum (dropped).");
        counter("wire.bad.fragment", "Frames whose fragment fields are inconsistent, in themselves or with earlier fragments (dropped).");
        counter("link.received", "Frames the link received from the device.");
        counter("link.receive.dropped", "Frames the link could not receive (kernel queue full, a runt frame).");
        counter("link.delivered", "Datagrams the link delivered to the virtual interface.");
        counter("link.deliver.dropped", "Datagrams the link could not deliver to the virtual interface.");
        counter("link.forwarded", "ARP replies of this node the link forwarded with its own MAC.");
        counter("link.forward.dropped", "ARP replies the link could not forward.");
        counter("link.transmitted", "Cluster frames the link sent.");
        counter("link.transmit.dropped", "Cluster frames the link could not send (device down, queue full).");
        counter("loop.stalls", "Times a timer of the cluster's event loop ran 100 ms or more late.");
        gauge("loop.stall.max.ms", "lnlb_loop_stall_max_seconds", "seconds", 1000,
                "The longest any timer of the cluster's event loop ran late.");
        gauge("loop.stall.last.ms", "lnlb_loop_stall_last_seconds", "seconds", 1000, "How late the last stall was.");
        gauge("loop.stall.threshold.ms", "lnlb_loop_stall_threshold_seconds", "seconds", 1000,
                "Lateness from which a timer counts as a stall.");
        gauge("jvm.heap.used.bytes", "lnlb_jvm_heap_used_bytes", "bytes", 1, "Heap the runtime's JVM uses.");
        gauge("jvm.heap.max.bytes", "lnlb_jvm_heap_max_bytes", "bytes", 1, "The JVM's heap limit (-Xmx).");
        KNOWN.put("jvm.gc.count", new CounterMetric("lnlb_jvm_gc_collections", MetricFamily.Type.COUNTER, "", 1,
                "Garbage collections of the runtime's JVM."));
        KNOWN.put("jvm.gc.ms", new CounterMetric("lnlb_jvm_gc_seconds", MetricFamily.Type.COUNTER, "seconds", 1000,
                "Time the runtime's JVM spent in garbage collections."));
    }

    private static void counter(String name, String help) {
        KNOWN.put(name, new CounterMetric(underscored(name), MetricFamily.Type.COUNTER, "", 1, help));
    }

    private static void gauge(String name, String family, String unit, long divisor, String help) {
        KNOWN.put(name, new CounterMetric(family, MetricFamily.Type.GAUGE, unit, divisor, help));
    }

    /** The metric of a stats counter name. */
    public static CounterMetric of(String name) {
        CounterMetric known = KNOWN.get(name);
        if (known != null) {
            return known;
        }
        String help = help(name);
        if (name.endsWith(".ms")) {
            String base = underscored(name.substring(0, name.length() - 3)) + "_seconds";
            return new CounterMetric(base, MetricFamily.Type.GAUGE, "seconds", 1000, help);
        }
        if (name.endsWith(".bytes")) {
            return new CounterMetric(underscored(name), MetricFamily.Type.GAUGE, "bytes", 1, help);
        }
        return new CounterMetric(underscored(name), MetricFamily.Type.COUNTER, "", 1, help);
    }

    private static String help(String name) {
        if (name.startsWith("wire.")) {
            return "Cluster frames (EtherType 0x88B5) counted as " + name + " (lnlbctl stats).";
        }
        if (name.startsWith("link.")) {
            return "Frames of the cluster's link counted as " + name + " (lnlbctl stats).";
        }
        return "The counter " + name + " of lnlbctl stats.";
    }

    /** {@code wire.bad.tag} → {@code lnlb_wire_bad_tag}; anything but letters and digits becomes {@code _}. */
    static String underscored(String name) {
        return "lnlb_" + name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("_+$", "");
    }
}
