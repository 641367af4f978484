package lnlb.itest;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import lnlb.core.api.Datagram;
import lnlb.core.api.memory.MemorySegment.ClientPort;

/**
 * A steady stream of client datagrams to the VIP, {@code perSecond} of them, from many TCP
 * connections (SYN, data, FIN, last ACK) and UDP flows open at once; each flow has its own source
 * address and port and lives for a random number of datagrams, then a new one takes its place.
 * Every datagram is recorded in the {@link TrafficLedger} (id = its sequence number) before it leaves.
 */
final class ClientTraffic implements Runnable {
    private static final int SOURCES = 4093;
    private static final int FIRST_SOURCE = 10 << 24 | 1 << 16; // 10.1.0.0/16

    private final ClientPort port;
    private final long clusterMac;
    private final int vip;
    private final TrafficLedger ledger;
    private final long periodNanos;
    private final Random random = new Random(42);
    private final Flow[] open;
    private volatile boolean stopped;
    private volatile int sent;
    private volatile int flows;
    private volatile Exception failure;

    /** One connection or flow: which datagram comes next, and how many are left. */
    private static final class Flow {
        int index;
        int protocol;
        int sent;
        int left;
    }

    ClientTraffic(ClientPort port, long clusterMac, int vip, TrafficLedger ledger, int perSecond, int openFlows) {
        this.port = port;
        this.clusterMac = clusterMac;
        this.vip = vip;
        this.ledger = ledger;
        this.periodNanos = 1_000_000_000L / perSecond;
        this.open = new Flow[openFlows];
    }

    @Override
    public void run() {
        for (int i = 0; i < open.length; i++) {
            open[i] = newFlow(new Flow(), i % 2 == 0 ? ClientFrames.TCP : ClientFrames.UDP);
        }
        long start = System.nanoTime();
        try {
            while (!stopped && sent < ledger.capacity()) {
                long wait = start + sent * periodNanos - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                Flow flow = open[random.nextInt(open.length)];
                send(flow);
                if (flow.left == 0) {
                    newFlow(flow, flow.protocol);
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
    }

    private Flow newFlow(Flow flow, int protocol) {
        flow.index = flows;
        flows = flow.index + 1;
        flow.protocol = protocol;
        flow.sent = 0;
        flow.left = 4 + random.nextInt(40);
        return flow;
    }

    private void send(Flow flow) throws IOException {
        int id = sent;
        int source = FIRST_SOURCE + 1 + flow.index % SOURCES;
        int sourcePort = 1024 + flow.index / SOURCES;
        ledger.sending(id, flow.index);
        port.transmit(ClientFrames.frame(clusterMac, port.address(), vip, flow.protocol, source, sourcePort,
                tcpFlags(flow), id));
        flow.sent++;
        flow.left--;
        sent = id + 1;
    }

    /** SYN first, FIN with the last data, the client's last ACK after it; data segments between. */
    private static int tcpFlags(Flow flow) {
        if (flow.sent == 0) {
            return Datagram.TCP_SYN;
        }
        if (flow.left == 2) {
            return Datagram.TCP_FIN | Datagram.TCP_ACK;
        }
        return flow.left == 1 ? Datagram.TCP_ACK : Datagram.TCP_ACK | Datagram.TCP_PSH;
    }

    void stop() {
        stopped = true;
    }

    /** Datagrams sent so far (their ids are 0 .. sent - 1). */
    int sent() {
        return sent;
    }

    /** Flows started so far (indexes 0 .. flows - 1). */
    int flows() {
        return flows;
    }

    /** What stopped the sender, or null. */
    Exception failure() {
        return failure;
    }
}
