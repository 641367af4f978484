package lnlb.core.internal.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Turns received cluster frames back into messages: checks each header ({@link ClusterHeader}),
 * collects the fragments of multi-fragment messages per (sender MAC, message id), checks the CRC of
 * a complete body and decodes it ({@link MessageCodec}).
 *
 * <p>Bounded in memory and time: at most {@code maxPending} partial messages whose announced bodies
 * add up to at most {@code maxPendingBytes} are kept (the oldest is evicted to make room), and a
 * partial message not complete {@code timeoutMillis} after its first fragment is dropped. A body's
 * buffer grows with the fragments that arrive, so a flood of first fragments announcing large
 * bodies costs little memory. Fragments may arrive in any order; duplicates are counted and
 * ignored. A fragment that disagrees with the ones held for its message (type, total length, CRC,
 * count or slice length) is dropped, and the held ones are left to complete or time out.
 *
 * <p>Never throws, whatever the frame: every frame ends in one {@link WireCounters} outcome.
 * Not thread-safe: one cluster loop owns an instance.
 */
public final class Reassembler {
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 << 20;
    public static final int DEFAULT_MAX_PENDING = 64;
    public static final long DEFAULT_MAX_PENDING_BYTES = 64L << 20;
    public static final long DEFAULT_TIMEOUT_MILLIS = 2_000;

    private static final byte[] EMPTY = new byte[0];

    private final byte[] vip;
    private final int maxMessageBytes;
    private final long maxPendingBytes;
    private final long timeoutMillis;
    private final Partial[] slots;
    private final ClusterHeader header = new ClusterHeader();
    private final CRC32 crc = new CRC32();
    private final byte[] scratch = new byte[ClusterHeader.MAX_SLICE_LENGTH];
    private final ByteBuffer scratchView = ByteBuffer.wrap(scratch);
    private final WireCounters counters = new WireCounters();
    private MessageAuthenticator authenticator;
    private int pending;
    private long pendingBytes;
    private long nextExpiry = Long.MAX_VALUE;

    /** A reassembler with the default bounds. */
    public Reassembler(byte[] vip) {
        this(vip, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_PENDING, DEFAULT_MAX_PENDING_BYTES, DEFAULT_TIMEOUT_MILLIS);
    }

    /**
     * @param vip this cluster's VIP, 16 bytes ({@link ClusterHeader#vipBytes}); frames naming
     *     another are counted as foreign
     * @param maxMessageBytes the largest body accepted; larger ones are counted as oversized
     * @param maxPending the most partial messages kept at once (at least 1)
     * @param maxPendingBytes the most announced body bytes of partial messages kept at once (at
     *     least {@code maxMessageBytes})
     * @param timeoutMillis how long after its first fragment a partial message is dropped
     */
    public Reassembler(byte[] vip, int maxMessageBytes, int maxPending, long maxPendingBytes, long timeoutMillis) {
        if (vip == null || vip.length != ClusterHeader.VIP_LENGTH) {
            throw new IllegalArgumentException("vip must be 16 bytes");
        }
        if (maxMessageBytes < 0 || maxPending < 1 || maxPendingBytes < maxMessageBytes || timeoutMillis < 0) {
            throw new IllegalArgumentException("bad bounds: maxMessageBytes=" + maxMessageBytes + " maxPending="
                    + maxPending + " maxPendingBytes=" + maxPendingBytes + " timeoutMillis=" + timeoutMillis);
        }
        this.vip = vip.clone();
        this.maxMessageBytes = maxMessageBytes;
        this.maxPendingBytes = maxPendingBytes;
        this.timeoutMillis = timeoutMillis;
        this.slots = new Partial[maxPending];
        for (int i = 0; i < maxPending; i++) {
            slots[i] = new Partial();
        }
    }

    /**
     * Takes one received Ethernet frame: {@code length} bytes of {@code buffer} from the absolute
     * index {@code offset}, where its Ethernet header starts. Reads only (in network order, whatever
     * the buffer's order); never moves the buffer's position or limit, and keeps no reference to it.
     *
     * @param nowMillis the cluster clock, for reassembly timeouts
     * @return the message this frame completes, or {@code null} (dropped, foreign, or more
     *     fragments to come: see {@link #counters()})
     */
    public ReceivedMessage accept(ByteBuffer buffer, int offset, int length, long nowMillis) {
        counters.received++;
        if (nowMillis >= nextExpiry) {
            expire(nowMillis);
        }
        if (buffer == null || offset < 0 || length < 0 || offset > buffer.limit() - length) {
            counters.truncated++;
            return null;
        }
        int verdict = header.wrap(buffer, offset).check(length, vip, maxMessageBytes);
        if (verdict != ClusterHeader.OK) {
            counters.countVerdict(verdict);
            return null;
        }
        return header.fragmentCount() == 1 ? single(buffer) : fragment(buffer, nowMillis);
    }

    /**
     * Drops the partial messages whose time is up. {@link #accept} calls it; call it from a timer
     * too, to free memory when no frames arrive.
     */
    public void expire(long nowMillis) {
        long next = Long.MAX_VALUE;
        for (Partial p : slots) {
            if (!p.used) {
                continue;
            }
            if (nowMillis >= p.deadline) {
                release(p);
                counters.reassemblyTimeouts++;
            } else {
                next = Math.min(next, p.deadline);
            }
        }
        nextExpiry = next;
    }

    /** Checks every message from now on (null: accept only unauthenticated messages). */
    public void setAuthenticator(MessageAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    public WireCounters counters() {
        return counters;
    }

    /** Partial messages held now. */
    public int pendingMessages() {
        return pending;
    }

    /** Announced body bytes of the partial messages held now (the bound, not what is allocated). */
    public long pendingBytes() {
        return pendingBytes;
    }

    private ReceivedMessage single(ByteBuffer buffer) {
        int length = header.sliceLength();
        buffer.get(header.sliceIndex(), scratch, 0, length);
        return finish(header.source(), header.messageId(), header.type(), header.flags(), header.crc(), scratchView,
                length);
    }

    private ReceivedMessage fragment(ByteBuffer buffer, long nowMillis) {
        long sender = header.source();
        int id = header.messageId();
        Partial p = find(sender, id);
        if (p == null) {
            p = admit(sender, id, nowMillis);
        } else if (!p.matches(header)) {
            counters.badFragment++;
            return null;
        }
        int index = header.fragmentIndex();
        if (p.holds(index)) {
            counters.duplicateFragments++;
            return null;
        }
        p.put(index, buffer, header.sliceIndex(), header.sliceLength());
        if (p.received < p.count) {
            counters.fragmentsBuffered++;
            return null;
        }
        counters.reassembled++;
        byte[] body = p.data;
        int type = p.type;
        int flags = p.flags;
        long sum = p.crc;
        int total = p.total;
        release(p);
        return finish(sender, id, type, flags, sum, ByteBuffer.wrap(body), total);
    }

    /** CRC check and decode of a whole body held in {@code body[0..length)}. */
    private ReceivedMessage finish(long sender, int id, int type, int flags, long sum, ByteBuffer body, int length) {
        crc.reset();
        crc.update(body.array(), 0, length);
        if (crc.getValue() != sum) {
            counters.badCrc++;
            return null;
        }
        boolean sealed = (flags & ClusterHeader.FLAG_AUTHENTICATED) != 0;
        if (authenticator == null ? sealed : !sealed) {
            counters.unauthenticated++; // a keyed cluster takes only sealed messages, a keyless one none
            return null;
        }
        if (authenticator != null) {
            int payload = authenticator.open(body.array(), length, type, vip, sender);
            if (payload == MessageAuthenticator.REPLAYED) {
                counters.replayed++;
                return null;
            }
            if (payload < 0) {
                counters.badTag++;
                return null;
            }
            length = payload;
        }
        ClusterMessage message = MessageCodec.decode(type, body, 0, length);
        if (message == null) {
            counters.badBody++;
            return null;
        }
        counters.decoded++;
        return new ReceivedMessage(sender, id, message);
    }

    private Partial find(long sender, int id) {
        for (Partial p : slots) {
            if (p.used && p.sender == sender && p.id == id) {
                return p;
            }
        }
        return null;
    }

    /** A slot for a new partial message, evicting the oldest ones until it fits the bounds. */
    private Partial admit(long sender, int id, long nowMillis) {
        int total = (int) header.totalLength(); // <= maxMessageBytes <= maxPendingBytes: check() passed
        while (pending >= slots.length || pendingBytes + total > maxPendingBytes) {
            release(oldest());
            counters.reassemblyEvictions++;
        }
        Partial p = free();
        long deadline = nowMillis > Long.MAX_VALUE - timeoutMillis ? Long.MAX_VALUE : nowMillis + timeoutMillis;
        p.start(header, sender, id, nowMillis, deadline);
        pending++;
        pendingBytes += total;
        nextExpiry = Math.min(nextExpiry, deadline);
        return p;
    }

    private Partial oldest() {
        Partial oldest = null;
        for (Partial p : slots) {
            if (p.used && (oldest == null || p.started < oldest.started)) {
                oldest = p;
            }
        }
        return oldest;
    }

    private Partial free() {
        for (Partial p : slots) {
            if (!p.used) {
                return p;
            }
        }
        throw new IllegalStateException("no free slot after eviction"); // unreachable: admit() made room
    }

    private void release(Partial p) {
        pending--;
        pendingBytes -= p.total;
        p.used = false;
        p.data = null;
    }

    /** One message being reassembled; slots are reused, their body buffers are not. */
    private static final class Partial {
        boolean used;
        long sender;
        int id;
        int type;
        int flags;
        int total;
        long crc;
        int count;
        long slice;
        long started;
        long deadline;
        int received;
        long[] held = new long[0];
        byte[] data;

        void start(ClusterHeader h, long sender, int id, long now, long deadline) {
            this.used = true;
            this.sender = sender;
            this.id = id;
            this.type = h.type();
            this.flags = h.flags();
            this.total = (int) h.totalLength();
            this.crc = h.crc();
            this.count = h.fragmentCount();
            this.slice = h.fullSliceLength();
            this.started = now;
            this.deadline = deadline;
            this.received = 0;
            this.data = EMPTY;
            int words = (count + 63) >>> 6;
            if (held.length < words) {
                held = new long[words];
            } else {
                Arrays.fill(held, 0, words, 0L);
            }
        }

        boolean matches(ClusterHeader h) {
            return h.type() == type && h.flags() == flags && h.totalLength() == total && h.crc() == crc && h.fragmentCount() == count
                    && h.fullSliceLength() == slice;
        }

        boolean holds(int index) {
            return (held[index >>> 6] & (1L << index)) != 0;
        }

        /** Copies a slice in; the header check made sure it lies inside the body. */
        void put(int index, ByteBuffer buffer, int from, int length) {
            int at = (int) (index * slice);
            int need = at + length;
            if (data.length < need) {
                data = Arrays.copyOf(data, (int) Math.min(total, Math.max(need, 2L * data.length)));
            }
            buffer.get(from, data, at, length);
            held[index >>> 6] |= 1L << index;
            received++;
        }
    }
}
