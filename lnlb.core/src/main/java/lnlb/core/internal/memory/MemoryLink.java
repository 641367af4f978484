package lnlb.core.internal.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.FrameReceiver;

/**
 * One port of a {@link MemoryHub}: frames from the other ports queue here until {@link #poll};
 * frames this node accepts go to the hub's delivery listener. In a simulation the hub calls the
 * {@link #onReadable readable hook} after queuing, and the node drains with {@code poll(r, 0)}.
 */
public final class MemoryLink implements ClusterLink {
    private static final byte[] WAKEUP = new byte[0];

    private final MemoryHub hub;
    private final long mac;
    private final String interfaceName;
    private final int mtu;
    private final boolean blocking;
    private final boolean receives;
    private final LinkedBlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
    private final ByteBuffer frameBuffer = ByteBuffer.allocateDirect(65536 + 64);
    private volatile Runnable readable = () -> { };
    private volatile boolean closed;
    // Counters, written by the loop thread only (transmit and deliver are called there too).
    private long received;
    private long delivered;
    private long transmitted;

    MemoryLink(MemoryHub hub, long mac, String interfaceName, int mtu, boolean blocking, boolean receives) {
        this.hub = hub;
        this.mac = mac;
        this.interfaceName = interfaceName;
        this.mtu = mtu;
        this.blocking = blocking;
        this.receives = receives;
    }

    /** Called (on the hub's delivery step) after frames were queued. */
    public void onReadable(Runnable hook) {
        this.readable = hook;
    }

    void receive(byte[] frame) {
        if (!closed && receives) {
            inbox.add(frame);
            readable.run();
        }
    }

    @Override
    public long nodeAddress() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public String interfaceName() {
        return interfaceName;
    }

    @Override
    public int headroom() {
        return 0;
    }

    @Override
    public int poll(FrameReceiver receiver, long timeoutMillis) throws IOException {
        int handled = 0;
        byte[] frame = inbox.poll();
        if (frame == null && blocking && timeoutMillis > 0) {
            try {
                frame = inbox.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
        while (frame != null) {
            if (frame != WAKEUP && !closed) {
                frameBuffer.clear();
                frameBuffer.put(0, frame);
                receiver.onFrame(frameBuffer, 0, frame.length);
                received++;
                handled++;
            }
            frame = inbox.poll();
        }
        return handled;
    }

    @Override
    public void wakeup() {
        if (blocking) {
            inbox.add(WAKEUP);
        }
    }

    @Override
    public void transmit(ByteBuffer frame) throws IOException {
        if (closed) {
            throw new IOException(interfaceName + ": link closed");
        }
        byte[] copy = new byte[frame.remaining()];
        frame.get(frame.position(), copy);
        hub.flood(this, copy);
        transmitted++;
    }

    @Override
    public void deliver(ByteBuffer buffer, int offset, int length) {
        hub.delivered(this, buffer, offset, length);
        delivered++;
    }

    @Override
    public Map<String, Long> countersByName() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("received", received);
        counters.put("delivered", delivered);
        counters.put("transmitted", transmitted);
        return counters;
    }

    /** Drops every queued frame (a node that crashed loses what its socket held). */
    public void discardQueued() {
        inbox.clear();
    }

    @Override
    public void close() {
        closed = true;
        inbox.clear();
        hub.detach(this);
    }
}
