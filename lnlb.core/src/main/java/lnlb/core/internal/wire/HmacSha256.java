package lnlb.core.internal.wire;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104) that allocates nothing per tag: {@code javax.crypto.Mac#doFinal} returns a
 * fresh array on every call, and this runs once per received frame, hostile ones included. The
 * padded keys are computed once; {@link #tag} writes into the caller's array.
 * Not thread-safe.
 */
final class HmacSha256 {
    static final int LENGTH = 32;
    private static final int BLOCK = 64;

    private final MessageDigest sha = sha256();
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];
    private final byte[] inner = new byte[LENGTH];

    HmacSha256(byte[] key) {
        byte[] k = key.length > BLOCK ? sha.digest(key) : key;
        byte[] block = Arrays.copyOf(k, BLOCK);
        for (int i = 0; i < BLOCK; i++) {
            innerPad[i] = (byte) (block[i] ^ 0x36);
            outerPad[i] = (byte) (block[i] ^ 0x5c);
        }
    }

    /** Writes the 32-byte tag of {@code data[from, from + length)} to {@code out[at, at + 32)}. */
    void tag(byte[] data, int from, int length, byte[] out, int at) {
        try {
            sha.update(innerPad);
            sha.update(data, from, length);
            sha.digest(inner, 0, LENGTH);
            sha.update(outerPad);
            sha.update(inner);
            sha.digest(out, at, LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException(e); // unreachable: the output always has room
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
