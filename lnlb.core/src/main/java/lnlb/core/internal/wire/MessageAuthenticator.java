package lnlb.core.internal.wire;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates whole cluster messages with a cluster key: every sealed body ends with a trailer
 *
 * <pre>
 * | u64 counter | 16 bytes HMAC-SHA256(key, version, type, VIP, sender MAC, counter, body) truncated |
 * </pre>
 *
 * The counter rises with every message a node sends and starts from its wall clock (shifted left
 * 20 bits), so it keeps rising across restarts; a receiver accepts from each sender only counters
 * above the last one it accepted, so a captured message cannot be replayed. During a key rotation
 * the previous key is also accepted until a deadline. Single-threaded (the cluster loop).
 */
public final class MessageAuthenticator {
    public static final int COUNTER_LENGTH = 8;
    public static final int TAG_LENGTH = 16;
    public static final int TRAILER_LENGTH = COUNTER_LENGTH + TAG_LENGTH;
    /** Verdicts of {@link #open}, all negative. */
    public static final int BAD_TAG = -1;
    public static final int REPLAYED = -2;
    public static final int TOO_SHORT = -3;
    /** Shorter keys are refused: 128 bits is the least HMAC-SHA256 should be given. */
    public static final int MIN_KEY_LENGTH = 16;
    private static final int MAX_SENDERS = 4096;

    private final Mac current;
    private final Mac previous;
    private final long previousUntil;
    private final LongSupplier wallClock;
    private final Map<Long, Long> lastCounter = new HashMap<>();
    private final byte[] tag = new byte[32];
    private long counter;

    /**
     * @param key the cluster key (at least 16 bytes)
     * @param previousKey the key being rotated out, or null
     * @param previousUntil wall-clock ms until which {@code previousKey} is accepted
     * @param wallClock milliseconds since the epoch (injected for tests)
     */
    public MessageAuthenticator(byte[] key, byte[] previousKey, long previousUntil, LongSupplier wallClock) {
        this.current = mac(key);
        this.previous = previousKey == null ? null : mac(previousKey);
        this.previousUntil = previousUntil;
        this.wallClock = wallClock;
    }

    private static Mac mac(byte[] key) {
        if (key == null || key.length < MIN_KEY_LENGTH) {
            throw new IllegalArgumentException("cluster key must be at least " + MIN_KEY_LENGTH + " bytes");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Writes the trailer after {@code body[0, length)}; the array must have room for it. */
    public void seal(byte[] body, int length, int type, byte[] vip, long sender) {
        counter = Math.max(counter + 1, wallClock.getAsLong() << 20);
        putLong(body, length, counter);
        compute(current, body, length, type, vip, sender, counter);
        System.arraycopy(tag, 0, body, length + COUNTER_LENGTH, TAG_LENGTH);
    }

    /**
     * Checks the trailer of {@code body[0, length)}: the length of the message without it, or
     * {@link #BAD_TAG}, {@link #REPLAYED}, {@link #TOO_SHORT}.
     */
    public int open(byte[] body, int length, int type, byte[] vip, long sender) {
        if (length < TRAILER_LENGTH) {
            return TOO_SHORT;
        }
        int payload = length - TRAILER_LENGTH;
        long messageCounter = getLong(body, payload);
        if (!matches(current, body, payload, type, vip, sender, messageCounter)
                && !(previous != null && wallClock.getAsLong() < previousUntil
                        && matches(previous, body, payload, type, vip, sender, messageCounter))) {
            return BAD_TAG;
        }
        Long last = lastCounter.get(sender);
        if (last != null && messageCounter <= last) {
            return REPLAYED;
        }
        if (last == null && lastCounter.size() >= MAX_SENDERS) {
            lastCounter.clear(); // only authenticated senders get here: a cluster this large is not expected
        }
        lastCounter.put(sender, messageCounter);
        return payload;
    }

    private boolean matches(Mac mac, byte[] body, int payload, int type, byte[] vip, long sender, long messageCounter) {
        compute(mac, body, payload, type, vip, sender, messageCounter);
        byte[] expected = java.util.Arrays.copyOf(tag, TAG_LENGTH);
        byte[] given = java.util.Arrays.copyOfRange(body, payload + COUNTER_LENGTH, payload + TRAILER_LENGTH);
        return MessageDigest.isEqual(expected, given); // constant time
    }

    private void compute(Mac mac, byte[] body, int payload, int type, byte[] vip, long sender, long messageCounter) {
        byte[] head = new byte[2 + ClusterHeader.VIP_LENGTH + 6 + COUNTER_LENGTH];
        head[0] = (byte) ClusterHeader.VERSION;
        head[1] = (byte) type;
        System.arraycopy(vip, 0, head, 2, ClusterHeader.VIP_LENGTH);
        for (int i = 0; i < 6; i++) {
            head[2 + ClusterHeader.VIP_LENGTH + i] = (byte) (sender >>> (40 - 8 * i));
        }
        putLong(head, 2 + ClusterHeader.VIP_LENGTH + 6, messageCounter);
        mac.update(head);
        mac.update(body, 0, payload);
        try {
            mac.doFinal(tag, 0);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException(e);
        }
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
        return "HMAC-SHA256/128" + (previous != null ? " (+ previous key until " + previousUntil + ")" : "")
                + ", " + lastCounter.size() + " senders";
    }
}
