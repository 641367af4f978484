package lnlb.core.internal.component;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Map;

/**
 * The JVM's heap and collections (the whole process, so the same for every cluster): what a flood
 * costs in memory and collector time shows next to the counters it moved.
 */
final class JvmCounters {
    private JvmCounters() {
    }

    static void addTo(Map<String, Long> counters) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long collections = 0;
        long collectionMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            // -1: this collector does not tell.
            collections += Math.max(0, gc.getCollectionCount());
            collectionMillis += Math.max(0, gc.getCollectionTime());
        }
        counters.put("jvm.heap.used.bytes", heap.getUsed());
        counters.put("jvm.heap.max.bytes", heap.getMax());
        counters.put("jvm.gc.count", collections);
        counters.put("jvm.gc.ms", collectionMillis);
    }
}
