package lnlb.core.internal.engine;

import java.nio.ByteBuffer;

/**
 * FNV-1a (64 bit) over a datagram's bytes: names one datagram among the racing ones of a session,
 * identically on every node (they all received the same bytes). Absolute reads, no allocation.
 */
final class Digest {
    private static final long OFFSET_BASIS = 0xCBF2_9CE4_8422_2325L;
    private static final long PRIME = 0x0000_0100_0000_01B3L;

    private Digest() {
    }

    static long of(ByteBuffer buffer, int offset, int length) {
        long h = OFFSET_BASIS;
        for (int i = 0; i < length; i++) {
            h ^= buffer.get(offset + i) & 0xFF;
            h *= PRIME;
        }
        return h;
    }
}
