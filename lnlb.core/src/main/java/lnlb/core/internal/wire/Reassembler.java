package lnlb.core.internal.wire;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Turns received cluster frames back into messages: checks each header ({@link ClusterHeader}),
 * with a cluster key the frame's own tag and counter ({@link MessageAuthenticator}), collects the
 * fragments of multi-fragment messages per (sender MAC, message id), checks the CRC of a complete
 * body and decodes it ({@link MessageCodec}).
 *
 * <p>A fragment header's count, index, total length and CRC are claims: nothing is allocated or
 * reserved from them. With a key a forged frame dies at its tag, before any state is touched. What
 * passes is bounded in memory and time:
 * <ul>
 * <li>bodies are stored in fixed chunks ({@link ChunkPool}, {@link #CHUNK_BYTES} at most, never a
 *     humongous object) taken as fragments land in them, so memory follows the bytes received;
 * <li>the chunks of all partial messages add up to at most {@code maxPendingBytes} (the cluster's
 *     budget), those of one sender to at most {@code maxSenderBytes} (its quota), and a sender
 *     holds at most a quarter of the {@code maxPending} partial messages (at least 2);
 * <li>when a bound is reached, the partial message that received the fewest bytes goes first (the
 *     stalest among equals): a flood of first fragments evicts its own kind before it reaches a
 *     state transfer in progress;
 * <li>a partial message not complete {@code timeoutMillis} after its first fragment is dropped.
 * </ul>
 * Fragments may arrive in any order; duplicates are counted and ignored. A fragment that disagrees
 * with the ones held for its message (type, total length, CRC, count or slice length) is dropped,
 * and the held ones are left to complete or time out. Only a complete body whose CRC holds is
 * copied out whole, the one allocation that follows a message's size.
 *
 * <p>Never throws, whatever the frame: every frame ends in one {@link WireCounters} outcome; nothing
 * is allocated for a frame that is refused. Not thread-safe: one cluster loop owns an instance.
 */
public final class Reassembler {
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 << 20;
    public static final int DEFAULT_MAX_PENDING = 64;
    public static final long DEFAULT_MAX_PENDING_BYTES = 24L << 20;
    public static final long DEFAULT_TIMEOUT_MILLIS = 2_000;
    /**
     * The chunk size: 1/16 of the smallest G1 humongous threshold (512 KiB), and 22 slices of a
     * 1500-byte MTU, so a dense transfer wastes nothing and a sparse flood at most one chunk per
     * fragment (which the budget counts).
     */
    public static final int CHUNK_BYTES = 32 << 10;
    /** Free chunks kept once nothing is pending; more go back to the GC (after a state transfer). */
    static final long RETAINED_BYTES = 4L << 20;

    private final byte[] vip;
    private final int maxMessageBytes;
    private final int maxSenderChunks;
    private final int maxSenderPartials;
    private final long timeoutMillis;
    private final ChunkPool pool;
    private final PartialMessage[] slots;
    private final ClusterHeader header = new ClusterHeader();
    private final CRC32 crc = new CRC32();
    /** Single-fragment bodies and small reassembled ones: decoding copies what it keeps. */
    private final byte[] scratch = new byte[ClusterHeader.MAX_SLICE_LENGTH];
    private final ByteBuffer scratchView = ByteBuffer.wrap(scratch);
    private final WireCounters counters = new WireCounters();
    private MessageAuthenticator authenticator;
    private int pending;
    private long nextExpiry = Long.MAX_VALUE;

    /** A reassembler with the default bounds. */
    public Reassembler(byte[] vip) {
        this(vip, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_PENDING, DEFAULT_MAX_PENDING_BYTES, DEFAULT_TIMEOUT_MILLIS);
    }

    /** With a sender quota of one largest message. */
    public Reassembler(byte[] vip, int maxMessageBytes, int maxPending, long maxPendingBytes, long timeoutMillis) {
        this(vip, maxMessageBytes, maxPending, maxPendingBytes, maxMessageBytes, timeoutMillis);
    }

    /**
     * @param vip this cluster's VIP, 16 bytes ({@link ClusterHeader#vipBytes}); frames naming
     *     another are counted as foreign
     * @param maxMessageBytes the largest body accepted; larger ones are counted as oversized
     * @param maxPending the most partial messages kept at once (at least 1)
     * @param maxPendingBytes the cluster's budget: body bytes (in whole chunks, rounded down) held
     *     by partial messages at once; must hold the chunks of one largest message
     * @param maxSenderBytes one sender's quota within it (whole chunks, rounded up); at least
     *     {@code maxMessageBytes}
     * @param timeoutMillis how long after its first fragment a partial message is dropped
     */
    public Reassembler(byte[] vip, int maxMessageBytes, int maxPending, long maxPendingBytes, long maxSenderBytes,
            long timeoutMillis) {
        if (vip == null || vip.length != ClusterHeader.VIP_LENGTH) {
            throw new IllegalArgumentException("vip must be 16 bytes");
        }
        int chunk = chunkBytesFor(maxMessageBytes);
        long messageChunks = Math.max(1, ((long) maxMessageBytes + chunk - 1) / chunk);
        if (maxMessageBytes < 0 || maxPending < 1 || maxPendingBytes / chunk < messageChunks
                || maxSenderBytes < maxMessageBytes || maxPendingBytes / chunk > Integer.MAX_VALUE
                || timeoutMillis < 0) {
            throw new IllegalArgumentException("bad bounds: maxMessageBytes=" + maxMessageBytes + " maxPending="
                    + maxPending + " maxPendingBytes=" + maxPendingBytes + " maxSenderBytes=" + maxSenderBytes
                    + " timeoutMillis=" + timeoutMillis + " (budget and quota must hold one largest message in chunks of "
                    + chunk + " bytes)");
        }
        this.vip = vip.clone();
        this.maxMessageBytes = maxMessageBytes;
        this.maxSenderChunks = (int) Math.min((maxSenderBytes + chunk - 1) / chunk, maxPendingBytes / chunk);
        this.maxSenderPartials = Math.min(maxPending, Math.max(2, maxPending / 4));
        this.timeoutMillis = timeoutMillis;
        this.pool = new ChunkPool(chunk, (int) (maxPendingBytes / chunk));
        this.slots = new PartialMessage[maxPending];
        for (int i = 0; i < maxPending; i++) {
            slots[i] = new PartialMessage((int) messageChunks);
        }
    }

    /** {@link #CHUNK_BYTES}, or less for small messages: the power of two that holds the largest one. */
    static int chunkBytesFor(int maxMessageBytes) {
        int fits = Integer.highestOneBit(Math.max(64, maxMessageBytes - 1)) << 1;
        return Math.min(CHUNK_BYTES, fits);
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
        if (!authentic(buffer, offset)) {
            return null;
        }
        return header.fragmentCount() == 1 ? single(buffer) : fragment(buffer, nowMillis);
    }

    /** A keyed cluster takes only sealed frames whose tag and counter hold, a keyless one none. */
    private boolean authentic(ByteBuffer buffer, int offset) {
        if (header.sealed() != (authenticator != null)) {
            counters.unauthenticated++;
            return false;
        }
        if (authenticator == null) {
            return true;
        }
        int verdict = authenticator.open(buffer, offset, header.trailerIndex(), header.source());
        if (verdict == MessageAuthenticator.REPLAYED) {
            counters.replayed++;
        } else if (verdict != MessageAuthenticator.ACCEPTED) {
            counters.badTag++;
        }
        return verdict == MessageAuthenticator.ACCEPTED;
    }

    /**
     * Drops the partial messages whose time is up, and once none is left returns the chunks beyond
     * {@link #RETAINED_BYTES} to the GC. {@link #accept} calls it; call it from a timer too, to free
     * memory when no frames arrive.
     */
    public void expire(long nowMillis) {
        long next = Long.MAX_VALUE;
        for (PartialMessage p : slots) {
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
        if (pending == 0) {
            pool.trim(RETAINED_BYTES);
        }
    }

    /** Checks every frame from now on (null: accept only unsealed frames). */
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

    /** Body bytes held by partial messages now, in whole chunks: at most the cluster's budget. */
    public long pendingBytes() {
        return (long) pool.inUse() * pool.chunkBytes();
    }

    /** Bytes of body chunks that exist now, held or kept for reuse: at most the cluster's budget. */
    public long allocatedBytes() {
        return pool.allocatedBytes();
    }

    /** The cluster's budget for partial messages, in bytes (whole chunks). */
    public long budgetBytes() {
        return (long) pool.capacity() * pool.chunkBytes();
    }

    /** One sender's quota, in bytes (whole chunks). */
    public long senderQuotaBytes() {
        return (long) maxSenderChunks * pool.chunkBytes();
    }

    /** Body bytes held for the partial messages of {@code sender} now. */
    public long pendingBytes(long sender) {
        return (long) senderChunks(sender) * pool.chunkBytes();
    }

    private ReceivedMessage single(ByteBuffer buffer) {
        int length = header.sliceLength();
        buffer.get(header.sliceIndex(), scratch, 0, length);
        return finish(header.source(), header.messageId(), header.type(), header.crc(), scratchView, length);
    }

    private ReceivedMessage fragment(ByteBuffer buffer, long nowMillis) {
        long sender = header.source();
        int id = header.messageId();
        PartialMessage p = find(sender, id);
        if (p == null) {
            p = admit(sender, nowMillis);
        } else if (!p.matches(header)) {
            counters.badFragment++;
            return null;
        }
        int index = header.fragmentIndex();
        if (p.holds(index)) {
            counters.duplicateFragments++;
            return null;
        }
        if (!reserveChunks(p, index)) {
            release(p);
            counters.reassemblyOverBudget++;
            return null;
        }
        p.put(index, buffer, header.sliceIndex(), header.sliceLength(), pool, counters.received);
        if (!p.complete()) {
            counters.fragmentsBuffered++;
            return null;
        }
        counters.reassembled++;
        return finishPartial(p);
    }

    /** The CRC over the chunks, then the body in one array (a retained one when it is small). */
    private ReceivedMessage finishPartial(PartialMessage p) {
        if (p.bodyCrc(pool, crc) != p.crc) {
            release(p);
            counters.badCrc++;
            return null;
        }
        byte[] body = p.total <= scratch.length ? scratch : new byte[p.total]; // complete and checked
        p.copyBody(pool, body);
        long sender = p.sender;
        int id = p.id;
        int type = p.type;
        int total = p.total;
        release(p);
        return decode(sender, id, type, body == scratch ? scratchView : ByteBuffer.wrap(body), total);
    }

    /** CRC check and decode of a whole single-frame body held in {@code body[0..length)}. */
    private ReceivedMessage finish(long sender, int id, int type, long sum, ByteBuffer body, int length) {
        crc.reset();
        crc.update(body.array(), 0, length);
        if (crc.getValue() != sum) {
            counters.badCrc++;
            return null;
        }
        return decode(sender, id, type, body, length);
    }

    private ReceivedMessage decode(long sender, int id, int type, ByteBuffer body, int length) {
        ClusterMessage message = MessageCodec.decode(type, body, 0, length);
        if (message == null) {
            counters.badBody++;
            return null;
        }
        counters.decoded++;
        return new ReceivedMessage(sender, id, message);
    }

    private PartialMessage find(long sender, int id) {
        for (PartialMessage p : slots) {
            if (p.used && p.sender == sender && p.id == id) {
                return p;
            }
        }
        return null;
    }

    /** A slot for a new partial message: the sender's share of slots, then any slot, made free if need be. */
    private PartialMessage admit(long sender, long nowMillis) {
        if (senderPartials(sender) >= maxSenderPartials) {
            release(victim(true, sender, null));
            counters.reassemblyQuotaEvictions++;
        }
        if (pending == slots.length) {
            release(victim(false, 0, null));
            counters.reassemblyEvictions++;
        }
        PartialMessage p = free();
        long deadline = nowMillis > Long.MAX_VALUE - timeoutMillis ? Long.MAX_VALUE : nowMillis + timeoutMillis;
        p.start(header, deadline, counters.received);
        pending++;
        nextExpiry = Math.min(nextExpiry, deadline);
        return p;
    }

    /**
     * Takes the chunks fragment {@code index} lands in that {@code p} lacks, within the sender's
     * quota and the cluster's budget, evicting other partial messages to make room. False only if
     * {@code p} alone exceeds a bound, which the constructor's checks rule out.
     */
    private boolean reserveChunks(PartialMessage p, int index) {
        int chunkBytes = pool.chunkBytes();
        int last = p.lastChunk(index, header.sliceLength(), chunkBytes);
        for (int number = p.firstChunk(index, chunkBytes); number <= last; number++) {
            if (p.hasChunk(number)) {
                continue;
            }
            while (senderChunks(p.sender) >= maxSenderChunks) {
                PartialMessage victim = victim(true, p.sender, p);
                if (victim == null) {
                    return false;
                }
                release(victim);
                counters.reassemblyQuotaEvictions++;
            }
            while (pool.exhausted()) {
                PartialMessage victim = victim(false, 0, p);
                if (victim == null) {
                    return false;
                }
                release(victim);
                counters.reassemblyBudgetEvictions++;
            }
            p.addChunk(number, pool.take());
        }
        return true;
    }

    /**
     * The partial message to drop first: the one that received the fewest bytes, the stalest among
     * equals; of {@code sender} only if {@code ofSender}; never {@code keep}.
     */
    private PartialMessage victim(boolean ofSender, long sender, PartialMessage keep) {
        PartialMessage victim = null;
        for (PartialMessage p : slots) {
            if (!p.used || p == keep || (ofSender && p.sender != sender)) {
                continue;
            }
            if (victim == null || p.receivedBytes < victim.receivedBytes
                    || (p.receivedBytes == victim.receivedBytes && p.touched < victim.touched)) {
                victim = p;
            }
        }
        return victim;
    }

    private int senderPartials(long sender) {
        int n = 0;
        for (PartialMessage p : slots) {
            n += p.used && p.sender == sender ? 1 : 0;
        }
        return n;
    }

    private int senderChunks(long sender) {
        int n = 0;
        for (PartialMessage p : slots) {
            n += p.used && p.sender == sender ? p.chunksHeld : 0;
        }
        return n;
    }

    private PartialMessage free() {
        for (PartialMessage p : slots) {
            if (!p.used) {
                return p;
            }
        }
        throw new IllegalStateException("no free slot after eviction"); // unreachable: admit() made room
    }

    private void release(PartialMessage p) {
        pending--;
        p.release(pool);
    }
}
