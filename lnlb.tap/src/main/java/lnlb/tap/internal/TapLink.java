package lnlb.tap.internal;

import static lnlb.core.api.Ethernet.HEADER_LENGTH;
import static lnlb.tap.internal.linux.Kernel.EAGAIN;
import static lnlb.tap.internal.linux.Kernel.EINVAL;
import static lnlb.tap.internal.linux.Kernel.EMSGSIZE;
import static lnlb.tap.internal.linux.Kernel.ENETDOWN;
import static lnlb.tap.internal.linux.Kernel.ENOBUFS;
import static lnlb.tap.internal.linux.Kernel.ENXIO;
import static lnlb.tap.internal.linux.Kernel.MSG_DONTWAIT;
import static lnlb.tap.internal.linux.Kernel.MSG_TRUNC;
import static lnlb.tap.internal.linux.Kernel.POLLERR;
import static lnlb.tap.internal.linux.Kernel.POLLHUP;
import static lnlb.tap.internal.linux.Kernel.POLLIN;
import static lnlb.tap.internal.linux.Kernel.POLLNVAL;
import static lnlb.tap.internal.linux.Kernel.VIRTIO_NET_HDR_LEN;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.FrameReceiver;
import lnlb.core.api.NodeAddress;
import lnlb.tap.internal.linux.LinkException;
import lnlb.tap.internal.linux.Native;
import lnlb.tap.internal.linux.PacketRing;
import lnlb.tap.internal.linux.PacketSocket;
import lnlb.tap.internal.linux.TapDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster on one node over Linux: a TAP device ({@code nlbN}, cluster MAC, VIP/32) and an
 * AF_PACKET socket on the bound device, both with virtio-net headers, so partial checksums and
 * GSO super-frames (up to 64 KiB) cross in one system call each way.
 *
 * <p>Receiving: by default through the socket's TPACKET_V2 receive ring ({@link PacketRing}): the
 * receiver reads each frame in place in the ring, and {@link #deliver} writes it to the TAP
 * straight from its slot, virtio-net header included, so a frame costs no copy into the JVM and no
 * system call to read; the one {@code poll} per batch remains. Frames too big for a slot (GSO
 * super-frames) and every frame when the ring could not be set up are read with recv(2) into rx.
 *
 * <p>Memory: the ring (mapped, 8 MiB) and one direct buffer per link, allocated here and never again:
 * <pre>
 *  0              RX_CAPACITY            + TX_CAPACITY      + 24           + 8      + 8     + 16
 *  | rx: [vnet][frame]  (packet socket in, TAP out) | tx: [vnet][frame] | 3 pollfd | evread | one | stats |
 * </pre>
 * Frames handed to the receiver sit at {@link #headroom()} in the rx region (or the ring slot),
 * right after the virtio-net header the kernel wrote, so {@link #deliver} writes header and frame
 * with one write(2). The ring is unmapped only under the I/O lock, which every access to it holds
 * (a receiver reads it only during {@link #poll}): a late access cannot reach an unmapped ring.
 *
 * <p>Frames the kernel sends through the TAP (ARP replies) are read into the rx region and
 * forwarded out of the bound device by the link itself, with the Ethernet source rewritten to the
 * node's MAC so that no switch ever learns the cluster MAC.
 *
 * <p>Threading: one loop thread calls {@link #poll}, {@link #deliver} and {@link #transmit};
 * {@link #wakeup} and {@link #close} may come from any thread (close wakes a poll in progress and
 * waits for it to leave before closing descriptors).
 */
public final class TapLink implements ClusterLink {
    private static final Logger LOG = LoggerFactory.getLogger(TapLink.class);

    /** sizeof(struct virtio_net_hdr): the headroom before every frame. */
    public static final int HEADROOM = VIRTIO_NET_HDR_LEN;
    /** Largest frame + header read from either side (GSO frames are 64 KiB + headers; BIG TCP is not used). */
    static final int RX_CAPACITY = 256 * 1024;
    /** Largest frame + header sent by {@link #transmit} or copied by {@link #deliver} from a heap buffer. */
    static final int TX_CAPACITY = 64 * 1024 + 1024;
    /** Frames read from one descriptor per {@link #poll}: bounds the time before the others are looked at. */
    static final int BATCH = 64;

    private static final int POLLFDS = RX_CAPACITY + TX_CAPACITY;
    private static final int EVENT_READ = POLLFDS + 24;
    private static final int EVENT_ONE = EVENT_READ + 8;
    private static final int STATISTICS = EVENT_ONE + 8;
    private static final int BUFFER_SIZE = STATISTICS + 16;

    private final String device;
    private final String interfaceName;
    private final long nodeMac;
    private final long clusterMac;
    private final int mtu;
    private final TapDevice tap;
    private final PacketSocket socket;
    private final int eventFd;
    private final Sysctls sysctls;
    private final Runnable onClose;

    private final ByteBuffer buffer;
    private final ByteBuffer rx;
    private final ByteBuffer tx;
    private final ByteBuffer pollfds;
    private final long rxAddress;
    private final long txAddress;
    private final long pollAddress;
    private final long eventReadAddress;
    private final long eventOneAddress;
    private final long statisticsAddress;
    /** Reads the socket's receive ring; null without one (frames are then read with recv(2) into rx). */
    private final RingReader ring;
    private final ByteBuffer ringFrames;
    private final long ringAddress;

    private final ReentrantLock io = new ReentrantLock();
    private final Object wakeLock = new Object();
    private volatile boolean closed;

    // Counters, written by the loop thread only.
    private long received;
    private long receiveDropped;
    private long delivered;
    private long deliverDropped;
    private long forwarded;
    private long forwardDropped;
    private long transmitted;
    private long transmitDropped;
    private long kernelDropped;
    private boolean deviceDownLogged;

    TapLink(String device, long nodeMac, long clusterMac, int mtu, TapDevice tap, PacketSocket socket,
            int eventFd, Sysctls sysctls, Runnable onClose) {
        this.device = device;
        this.interfaceName = tap.name();
        this.nodeMac = nodeMac;
        this.clusterMac = clusterMac;
        this.mtu = mtu;
        this.tap = tap;
        this.socket = socket;
        this.eventFd = eventFd;
        this.sysctls = sysctls;
        this.onClose = onClose;

        buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
        rx = buffer.slice(0, RX_CAPACITY);                                   // big-endian: network order
        tx = buffer.slice(RX_CAPACITY, TX_CAPACITY);
        pollfds = buffer.slice(POLLFDS, 24).order(ByteOrder.nativeOrder());
        long base = Native.address(buffer);
        rxAddress = base;
        txAddress = base + RX_CAPACITY;
        pollAddress = base + POLLFDS;
        eventReadAddress = base + EVENT_READ;
        eventOneAddress = base + EVENT_ONE;
        statisticsAddress = base + STATISTICS;
        PacketRing mapped = socket.ring();
        ring = mapped == null ? null : new RingReader(mapped);
        ringFrames = mapped == null ? null : mapped.frames();
        ringAddress = mapped == null ? 0 : mapped.address();
        buffer.order(ByteOrder.nativeOrder()).putLong(EVENT_ONE, 1L);        // eventfd increment
        pollfd(0, socket.fd());
        pollfd(1, tap.fd());
        pollfd(2, eventFd);
    }

    private void pollfd(int index, int fd) {
        pollfds.putInt(index * 8, fd);
        pollfds.putShort(index * 8 + 4, POLLIN);
    }

    @Override
    public long nodeAddress() {
        return nodeMac;
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
        return HEADROOM;
    }

    /** The bound (real) device. */
    public String device() {
        return device;
    }

    /** The cluster MAC, which the TAP carries. */
    public long clusterMac() {
        return clusterMac;
    }

    @Override
    public int poll(FrameReceiver receiver, long timeoutMillis) throws LinkException {
        io.lock();
        try {
            ensureOpen();
            int timeout = (int) Math.max(0, Math.min(timeoutMillis, Integer.MAX_VALUE));
            boolean ringReady = ring != null && ring.ready();
            int ready = Native.poll(pollAddress, 3, ringReady ? 0 : timeout);
            if (ready < 0) {
                throw new LinkException(null, "poll", -ready);
            }
            if (ready == 0 && !ringReady) {
                return 0;
            }
            int frames = 0;
            if (ring != null) {
                frames = ring.receive(receiver, BATCH, this::receiveOne);
                if (frames > 0) {
                    deviceDownLogged = false;
                }
            } else if (revents(0) != 0) {
                frames = receive(receiver);
            }
            int tapEvents = revents(1);
            if ((tapEvents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
                throw new LinkException("virtual interface " + interfaceName + " failed (poll revents 0x"
                        + Integer.toHexString(tapEvents) + ")");
            }
            if (tapEvents != 0) {
                forwardFromTap();
            }
            if (revents(2) != 0) {
                Native.read(eventFd, eventReadAddress, 8);
            }
            return frames;
        } finally {
            io.unlock();
        }
    }

    private int revents(int index) {
        return pollfds.getShort(index * 8 + 6);
    }

    /** Drains up to BATCH frames from the packet socket into the receiver. */
    private int receive(FrameReceiver receiver) throws LinkException {
        int frames = 0;
        for (int i = 0; i < BATCH; i++) {
            long n = Native.recv(socket.fd(), rxAddress, RX_CAPACITY, MSG_DONTWAIT | MSG_TRUNC);
            if (n < 0) {
                int errno = (int) -n;
                if (errno == EAGAIN) {
                    break;
                }
                if (errno == EINVAL) {
                    receiveDropped++;                 // the kernel could not express its offload state
                    continue;
                }
                if (errno == ENETDOWN) {
                    deviceDown();
                    break;
                }
                throw new LinkException(null, "recv(" + device + ")", errno);
            }
            if (n > RX_CAPACITY || n < HEADROOM + HEADER_LENGTH) {
                receiveDropped++;                     // truncated or runt
                continue;
            }
            deviceDownLogged = false;
            received++;
            frames++;
            receiver.onFrame(rx, HEADROOM, (int) n - HEADROOM);
        }
        return frames;
    }

    /** The frame of a TP_STATUS_COPY slot, from the socket's queue: 1 if handed over, else 0. */
    private int receiveOne(FrameReceiver receiver) throws LinkException {
        long n = Native.recv(socket.fd(), rxAddress, RX_CAPACITY, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) {
            int errno = (int) -n;
            if (errno == EAGAIN || errno == EINVAL) {
                receiveDropped++;
                return 0;
            }
            if (errno == ENETDOWN) {
                deviceDown();
                return 0;
            }
            throw new LinkException(null, "recv(" + device + ")", errno);
        }
        if (n > RX_CAPACITY || n < HEADROOM + HEADER_LENGTH) {
            receiveDropped++;
            return 0;
        }
        deviceDownLogged = false;
        received++;
        receiver.onFrame(rx, HEADROOM, (int) n - HEADROOM);
        return 1;
    }

    /** Forwards what the kernel sent through the TAP (ARP replies...) out of the bound device. */
    private void forwardFromTap() throws LinkException {
        for (int i = 0; i < BATCH; i++) {
            long n = Native.read(tap.fd(), rxAddress, RX_CAPACITY);
            if (n < 0) {
                int errno = (int) -n;
                if (errno == EAGAIN) {
                    break;
                }
                throw new LinkException("virtual interface " + interfaceName + " is gone", "read(" + interfaceName + ")", errno);
            }
            if (n < HEADROOM + HEADER_LENGTH) {
                forwardDropped++;
                continue;
            }
            NodeAddress.write(rx, HEADROOM + 6, nodeMac);        // Ethernet source: never the cluster MAC
            long sent = Native.send(socket.fd(), rxAddress, (int) n, MSG_DONTWAIT);
            if (sent < 0) {
                if (!congested((int) -sent)) {
                    throw new LinkException(null, "send(" + device + ")", (int) -sent);
                }
                forwardDropped++;
            } else {
                forwarded++;
            }
        }
    }

    /** Sends {@code frame[position, limit)} out of the bound device; leaves position and limit as they are. */
    @Override
    public void transmit(ByteBuffer frame) throws LinkException {
        io.lock();
        try {
            ensureOpen();
            int length = frame.remaining();
            if (length < HEADER_LENGTH || length > TX_CAPACITY - HEADROOM) {
                throw new LinkException("frame of " + length + " bytes cannot be sent on " + device);
            }
            for (int i = 0; i < HEADROOM; i++) {
                tx.put(i, (byte) 0);                              // no checksum or GSO request
            }
            tx.put(HEADROOM, frame, frame.position(), length);
            long sent = Native.send(socket.fd(), txAddress, HEADROOM + length, MSG_DONTWAIT);
            if (sent < 0) {
                if (!congested((int) -sent)) {
                    throw new LinkException(null, "send(" + device + ")", (int) -sent);
                }
                transmitDropped++;
            } else {
                transmitted++;
            }
        } finally {
            io.unlock();
        }
    }

    /**
     * Writes {@code buffer[offset - headroom, offset + length)} into the TAP in one write(2). A
     * frame the kernel refuses (malformed header or packet) is counted and dropped.
     */
    @Override
    public void deliver(ByteBuffer buffer, int offset, int length) throws LinkException {
        io.lock();
        try {
            ensureOpen();
            int start = offset - HEADROOM;
            int total = length + HEADROOM;
            if (start < 0 || length < HEADER_LENGTH || offset + length > buffer.capacity()) {
                throw new LinkException("bad frame bounds: offset " + offset + ", length " + length
                        + ", capacity " + buffer.capacity());
            }
            long address;
            if (buffer == rx) {
                address = rxAddress + start;
            } else if (buffer == ringFrames) {
                address = ringAddress + start;              // straight from the slot: no copy
            } else if (buffer.isDirect()) {
                address = Native.address(buffer) + start;
            } else {
                if (total > TX_CAPACITY) {
                    throw new LinkException("frame of " + length + " bytes cannot be delivered from a heap buffer");
                }
                tx.put(0, buffer, start, total);
                address = txAddress;
            }
            long n = Native.write(tap.fd(), address, total);
            if (n < 0) {
                int errno = (int) -n;
                if (errno == EINVAL || congested(errno)) {
                    deliverDropped++;
                    return;
                }
                throw new LinkException("virtual interface " + interfaceName + " refused a frame",
                        "write(" + interfaceName + ")", errno);
            }
            delivered++;
        } finally {
            io.unlock();
        }
    }

    @Override
    public void wakeup() {
        synchronized (wakeLock) {
            if (!closed) {
                Native.write(eventFd, eventOneAddress, 8);
            }
        }
    }

    /**
     * Removes the TAP (and with it the VIP), leaves the device's promiscuous membership, and puts
     * back the kernel settings this link changed. Idempotent; any thread.
     */
    @Override
    public void close() {
        synchronized (wakeLock) {
            if (closed) {
                return;
            }
            closed = true;
            Native.write(eventFd, eventOneAddress, 8);           // a poll in progress returns at once
        }
        boolean locked = false;
        try {
            locked = io.tryLock(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            LOG.warn("closing {} while its loop still uses it", interfaceName);
        }
        try {
            if (locked) {
                socket.close();
            } else {
                socket.closeKeepingRing();                        // the loop may still read the ring
            }
            tap.close();
            sysctls.restore();
            Native.close(eventFd);
        } finally {
            if (locked) {
                io.unlock();
            }
        }
        onClose.run();
        LOG.info("closed {} on {}", interfaceName, device);
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Counters since open, for status dumps and tests. Not synchronised: read from the loop or after it stopped. */
    public String counters() {
        return String.format("received=%d receiveDropped=%d delivered=%d deliverDropped=%d forwarded=%d "
                        + "forwardDropped=%d transmitted=%d transmitDropped=%d ring=%s ringCopied=%d ringCut=%d",
                received(), receiveDropped(), delivered, deliverDropped, forwarded, forwardDropped, transmitted,
                transmitDropped, ring != null, ring == null ? 0 : ring.copied(), ring == null ? 0 : ring.cut());
    }

    /** The same counters by name, for the operator's {@code stats} ({@code link.*}). */
    @Override
    public Map<String, Long> countersByName() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("received", received());
        counters.put("receive.dropped", receiveDropped());
        counters.put("delivered", delivered);
        counters.put("deliver.dropped", deliverDropped);
        counters.put("forwarded", forwarded);
        counters.put("forward.dropped", forwardDropped);
        counters.put("transmitted", transmitted);
        counters.put("transmit.dropped", transmitDropped);
        if (io.tryLock()) {                                       // not while close() releases the socket
            try {
                if (!closed) {
                    kernelDropped += socket.takeDrops(statisticsAddress);
                }
            } finally {
                io.unlock();
            }
        }
        counters.put("kernel.dropped", kernelDropped);
        if (ring != null) {
            counters.put("ring.copied", ring.copied());
            counters.put("ring.cut", ring.cut());
        }
        return counters;
    }

    public long received() {
        return received + (ring == null ? 0 : ring.received());
    }

    private long receiveDropped() {
        return receiveDropped + (ring == null ? 0 : ring.runts());
    }

    public long delivered() {
        return delivered;
    }

    public long forwarded() {
        return forwarded;
    }

    @Override
    public String toString() {
        return "TapLink[" + interfaceName + " on " + device + ", cluster " + NodeAddress.format(clusterMac)
                + ", node " + NodeAddress.format(nodeMac) + "]";
    }

    private void ensureOpen() throws LinkException {
        if (closed) {
            throw new LinkException("link " + interfaceName + " is closed");
        }
    }

    /** Errors that mean "the queue is full or the device is down right now": drop, do not fail. */
    private boolean congested(int errno) {
        if (errno == ENETDOWN || errno == ENXIO) {
            deviceDown();
            return true;
        }
        return errno == EAGAIN || errno == ENOBUFS || errno == EMSGSIZE;
    }

    private void deviceDown() {
        if (!deviceDownLogged) {
            deviceDownLogged = true;
            LOG.warn("{} is down: frames are dropped until it comes back", device);
        }
    }
}
