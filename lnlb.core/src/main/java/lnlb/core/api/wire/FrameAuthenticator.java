package lnlb.core.api.wire;

import java.util.function.LongSupplier;
import lnlb.core.internal.wire.MessageAuthenticator;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A cluster key in use: it seals the frames a {@link FrameWriter} writes (each with the next value
 * of its rising counter) and opens those a {@link FrameReader} takes (refusing a bad tag or a
 * counter it already saw from that sender). Share one instance between writers to continue one
 * sender's counter, as a node does. Not thread-safe.
 */
@ProviderType
public final class FrameAuthenticator {
    /** The shortest key accepted, in bytes. */
    public static final int MIN_KEY_LENGTH = MessageAuthenticator.MIN_KEY_LENGTH;

    final MessageAuthenticator authenticator;

    private FrameAuthenticator(MessageAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    /**
     * @param key the cluster key (at least {@link #MIN_KEY_LENGTH} bytes)
     * @param wallClock milliseconds since the epoch: the sealing counter starts from it (a fixed
     *     clock gives reproducible frames)
     * @throws IllegalArgumentException for a short key
     */
    public static FrameAuthenticator of(byte[] key, LongSupplier wallClock) {
        return rotating(key, null, 0, wallClock);
    }

    /**
     * A key during a rotation: seals with {@code key} and opens frames sealed with {@code key} or,
     * until {@code previousUntil} (wall-clock ms), with {@code previousKey} (null: none).
     */
    public static FrameAuthenticator rotating(byte[] key, byte[] previousKey, long previousUntil, LongSupplier wallClock) {
        return new FrameAuthenticator(new MessageAuthenticator(key, previousKey, previousUntil, wallClock));
    }

    /** A key as configured (hex, 32+ digits, or base64), as the cluster reads it; IllegalArgumentException if bad. */
    public static byte[] parseKey(String text) {
        return MessageAuthenticator.parseKey(text);
    }

    @Override
    public String toString() {
        return authenticator.toString();
    }
}
