package lnlb.itest;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import lnlb.core.api.memory.MemorySegment;

/**
 * Which node accepted each datagram a {@link ClientTraffic} sent, from the segment's delivery
 * events (datagram ids are 0, 1, 2, ...; each belongs to one flow). Deliveries come from every
 * cluster's loop at once; what the sender records is read after the sender has stopped.
 */
final class TrafficLedger implements MemorySegment.DeliveryListener {
    private final List<String> nodes;
    private final AtomicIntegerArray accepts;
    /** Per datagram, a bit per node that accepted it. */
    private final AtomicIntegerArray acceptedBy;
    /** Per datagram, its flow; written by the sender before it transmits. */
    private final int[] flowOf;
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicLong foreign = new AtomicLong();

    /** {@code nodes}: the interface names of the nodes, at most 31. */
    TrafficLedger(List<String> nodes, int capacity) {
        this.nodes = List.copyOf(nodes);
        this.accepts = new AtomicIntegerArray(capacity);
        this.acceptedBy = new AtomicIntegerArray(capacity);
        this.flowOf = new int[capacity];
    }

    int capacity() {
        return flowOf.length;
    }

    /** Called by the sender before datagram {@code id} of {@code flow} leaves. */
    void sending(int id, int flow) {
        flowOf[id] = flow;
    }

    @Override
    public void delivered(String interfaceName, long nodeAddress, ByteBuffer frame) {
        deliveries.incrementAndGet();
        long id = ClientFrames.id(frame);
        int node = nodes.indexOf(interfaceName);
        if (id < 0 || id >= flowOf.length || node < 0) {
            foreign.incrementAndGet();
            return;
        }
        accepts.incrementAndGet((int) id);
        acceptedBy.getAndAccumulate((int) id, 1 << node, (a, b) -> a | b);
    }

    long deliveries() {
        return deliveries.get();
    }

    /** How many of the first {@code sent} datagrams were accepted at least once. */
    int accounted(int sent) {
        int n = 0;
        for (int id = 0; id < sent; id++) {
            n += accepts.get(id) > 0 ? 1 : 0;
        }
        return n;
    }

    /**
     * The verdict on the first {@code sent} datagrams (ids) of {@code flows} flows; {@code swaps}
     * are id ranges [first, last) during which a swap went on, to count the flows that crossed one.
     */
    Verdict verdict(int sent, int flows, List<int[]> swaps) {
        int lost = 0;
        int doubled = 0;
        List<String> examples = new java.util.ArrayList<>();
        int[] owners = new int[flows];
        int[] firstId = new int[flows];
        int[] lastId = new int[flows];
        java.util.Arrays.fill(firstId, Integer.MAX_VALUE);
        for (int id = 0; id < sent; id++) {
            int count = accepts.get(id);
            lost += count == 0 ? 1 : 0;
            doubled += count > 1 ? 1 : 0;
            int flow = flowOf[id];
            if ((count != 1 || owners[flow] != 0 && (owners[flow] | acceptedBy.get(id)) != owners[flow])
                    && examples.size() < 20) {
                examples.add("#" + id + " of flow " + flow + " accepted by " + Integer.toBinaryString(acceptedBy.get(id))
                        + " (flow so far " + Integer.toBinaryString(owners[flow]) + ")");
            }
            owners[flow] |= acceptedBy.get(id);
            firstId[flow] = Math.min(firstId[flow], id);
            lastId[flow] = Math.max(lastId[flow], id);
        }
        int moved = 0;
        for (int flow = 0; flow < flows; flow++) {
            moved += Integer.bitCount(owners[flow]) > 1 ? 1 : 0;
        }
        int[] crossed = new int[swaps.size()];
        for (int s = 0; s < swaps.size(); s++) {
            for (int flow = 0; flow < flows; flow++) {
                if (firstId[flow] < swaps.get(s)[0] && lastId[flow] >= swaps.get(s)[1]) {
                    crossed[s]++;
                }
            }
        }
        return new Verdict(sent, flows, lost, doubled, moved, deliveries.get(), foreign.get(), crossed, examples);
    }

    /**
     * @param crossed per swap, the flows with datagrams before it began and after it ended
     */
    record Verdict(int sent, int flows, int lost, int doubled, int moved, long deliveries, long foreign, int[] crossed,
            List<String> examples) {
        @Override
        public String toString() {
            return "sent " + sent + " datagrams in " + flows + " flows; lost " + lost + ", accepted twice " + doubled
                    + ", flows that changed owner " + moved + "; deliveries " + deliveries + " (not ours " + foreign
                    + "); flows crossing each swap " + java.util.Arrays.toString(crossed)
                    + (examples.isEmpty() ? "" : "; first odd datagrams " + examples);
        }
    }
}
