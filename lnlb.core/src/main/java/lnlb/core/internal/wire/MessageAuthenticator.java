package lnlb.core.internal.wire;

import java.nio.ByteBuffer;
import java.util.function.LongSupplier;

/**
 * Authenticates every cluster frame with the cluster key (the frame layout is on {@link
 * ClusterHeader}): a sealed frame ends, after its slice, with a trailer
 *
 * <pre>
 * | u64 counter | 16 bytes: HMAC-SHA256(key, frame from the source MAC to the counter) truncated |
 * </pre>
 *
 * Per frame and not per message so that a frame from a host without the key dies at once, before
 * reassembly holds a byte for it or a real sender's message id is taken; the tag covers the sender
 * MAC, every header field (type, VIP, message id, fragment index and count, total length, CRC) and
 * the slice.
 *
 * <p>The counter rises with every frame a node sends and starts from its wall clock shifted left 20
 * bits, so it keeps rising across restarts. A receiver takes each counter of a sender once, within
 * a sliding window ({@link ReplayWindow}), so captured frames cannot be replayed while frames that
 * overtook each other are still taken. During a key rotation the previous key is also accepted
 * until a deadline.
 *
 * <p>Nothing is allocated per frame, sealed or opened, good or forged. Single-threaded (the
 * cluster loop); the engine gives one instance to its {@link Fragmenter} and its {@link
 * Reassembler}.
 */
public final class MessageAuthenticator {
    public static final int COUNTER_LENGTH = 8;
    public static final int TAG_LENGTH = 16;
    /** Bytes a sealed frame carries after its slice. */
    public static final int TRAILER_LENGTH = COUNTER_LENGTH + TAG_LENGTH;
    /** Verdicts of {@link #open}. */
    public static final int ACCEPTED = 0;
    public static final int BAD_TAG = -1;
    public static final int REPLAYED = -2;
    /** Shorter keys are refused: 128 bits is the least HMAC-SHA256 should be given. */
    public static final int MIN_KEY_LENGTH = 16;
    /** Senders whose counters are remembered; far above any cluster's size (see {@link ReplayWindow}). */
    static final int MAX_SENDERS = 64;
    /** Where the authenticated bytes start: the sender's MAC (the destination is the cluster's MAC). */
    private static final int COVERED_FROM = ClusterHeader.SOURCE_OFFSET;

    private final HmacSha256 current;
    private final HmacSha256 previous;
    private final long previousUntil;
    private final LongSupplier wallClock;
    private final ReplayWindow windows = new ReplayWindow(MAX_SENDERS);
    private final byte[] scratch = new byte[ClusterHeader.FRAME_HEADER_LENGTH + ClusterHeader.MAX_SLICE_LENGTH
            + TRAILER_LENGTH];
    private final byte[] tag = new byte[HmacSha256.LENGTH];
    private long counter;

    /**
     * @param key the cluster key (at least 16 bytes)
     * @param previousKey the key being rotated out, or null
     * @param previousUntil wall-clock ms until which {@code previousKey} is accepted
     * @param wallClock milliseconds since the epoch (injected for tests)
     */
    public MessageAuthenticator(byte[] key, byte[] previousKey, long previousUntil, LongSupplier wallClock) {
        this.current = new HmacSha256(checked(key));
        this.previous = previousKey == null ? null : new HmacSha256(checked(previousKey));
        this.previousUntil = previousUntil;
        this.wallClock = wallClock;
    }

    private static byte[] checked(byte[] key) {
        if (key == null || key.length < MIN_KEY_LENGTH) {
            throw new IllegalArgumentException("cluster key must be at least " + MIN_KEY_LENGTH + " bytes");
        }
        return key;
    }

    /**
     * Seals the frame held in {@code frame[0, end)} (Ethernet header at index 0, {@code end} just
     * after the slice): writes the counter and the tag at {@code end}, where the buffer must have
     * {@link #TRAILER_LENGTH} bytes of room. Absolute indexes; the position and limit do not move.
     */
    public void seal(ByteBuffer frame, int end) {
        counter = Math.max(counter + 1, wallClock.getAsLong() << 20);
        putLong(scratch, end, counter);
        frame.put(end, scratch, end, COUNTER_LENGTH);
        frame.get(COVERED_FROM, scratch, COVERED_FROM, end - COVERED_FROM);
        current.tag(scratch, COVERED_FROM, end + COUNTER_LENGTH - COVERED_FROM, tag, 0);
        frame.put(end + COUNTER_LENGTH, tag, 0, TAG_LENGTH);
    }

    /**
     * Checks the trailer at absolute index {@code trailer} of the frame whose Ethernet header starts
     * at {@code offset} in {@code frame} (the caller checked both lie inside it) and that
     * {@code sender} sent: {@link #ACCEPTED} (and the counter is used up), {@link #BAD_TAG} or
     * {@link #REPLAYED}. Reads only.
     */
    public int open(ByteBuffer frame, int offset, int trailer, long sender) {
        int length = trailer - offset + COUNTER_LENGTH;
        frame.get(offset, scratch, 0, length);
        long frameCounter = getLong(scratch, length - COUNTER_LENGTH);
        if (!windows.fresh(sender, frameCounter)) {
            return REPLAYED; // before the tag: a replay costs no HMAC
        }
        frame.get(trailer + COUNTER_LENGTH, scratch, length, TAG_LENGTH);
        if (!tagMatches(current, length) && !(previous != null && wallClock.getAsLong() < previousUntil
                && tagMatches(previous, length))) {
            return BAD_TAG;
        }
        windows.record(sender, frameCounter);
        return ACCEPTED;
    }

    /** The tag over {@code scratch[COVERED_FROM, length)} against the one at {@code scratch[length]}. */
    private boolean tagMatches(HmacSha256 mac, int length) {
        mac.tag(scratch, COVERED_FROM, length - COVERED_FROM, tag, 0);
        int difference = 0;
        for (int i = 0; i < TAG_LENGTH; i++) {
            difference |= tag[i] ^ scratch[length + i]; // constant time
        }
        return difference == 0;
    }

    private static void putLong(byte[] a, int at, long v) {
        for (int i = 0; i < 8; i++) {
            a[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    private static long getLong(byte[] a, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (a[at + i] & 0xFF);
        }
        return v;
    }

    /** Parses a key written as hex (32+ digits) or base64; IllegalArgumentException naming the problem. */
    public static byte[] parseKey(String text) {
        String trimmed = text.trim();
        byte[] key;
        if (trimmed.matches("(?i)[0-9a-f]+") && trimmed.length() % 2 == 0) {
            key = java.util.HexFormat.of().parseHex(trimmed);
        } else {
            try {
                key = java.util.Base64.getDecoder().decode(trimmed);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cluster key must be hex or base64", e);
            }
        }
        if (key.length < MIN_KEY_LENGTH) {
            throw new IllegalArgumentException("cluster key must be at least " + MIN_KEY_LENGTH + " bytes, is " + key.length);
        }
        return key;
    }

    @Override
    public String toString() {
        return "HMAC-SHA256/128 per frame" + (previous != null ? " (+ previous key until " + previousUntil + ")" : "")
                + ", " + windows.size() + " senders";
    }
}
