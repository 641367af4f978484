package lnlb.core.internal.engine;

/**
 * The assignment hash. It is part of the cluster protocol: every node, on any JVM, must map a key
 * to the same bucket, so it is written out here (MurmurHash3's 64-bit finaliser, fmix64) and pinned
 * by test vectors. Never replace it with {@code hashCode()} or anything JVM-dependent.
 */
public final class Hashing {
    private Hashing() {
    }

    /** MurmurHash3 fmix64 of the key: every input bit affects every output bit. */
    public static long mix(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }

    /** The bucket of a key in the 32-bit hash space the cut table divides: the high half of mix. */
    public static long bucket(long key) {
        return mix(key) >>> 32;
    }
}
