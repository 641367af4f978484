package lnlb.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The assignment hash is part of the protocol: these vectors must never change. */
class HashingTest {
    @Test
    void mixIsPinned() {
        assertEquals(0L, Hashing.mix(0));
        assertEquals(0xB456BCFC34C2CB2CL, Hashing.mix(1));
        // Computed by an independent implementation (Python) of MurmurHash3 fmix64.
        assertEquals(0x760F0649D55E9A4BL, Hashing.mix(0x0A00000AL));
        assertEquals(0x64B5720B4B825F21L, Hashing.mix(-1L));
    }

    @Test
    void bucketIsTheHighHalf() {
        for (long key = -1000; key < 1000; key++) {
            long bucket = Hashing.bucket(key);
            assertEquals(Hashing.mix(key) >>> 32, bucket);
            assertEquals(0, bucket >>> 32);
        }
    }
}
