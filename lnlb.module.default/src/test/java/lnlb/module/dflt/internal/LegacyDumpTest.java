package lnlb.module.dflt.internal;

import static lnlb.module.dflt.internal.DefaultTrackerStateTest.resealed;
import static lnlb.module.dflt.internal.DefaultTrackerTest.A;
import static lnlb.module.dflt.internal.DefaultTrackerTest.B;
import static lnlb.module.dflt.internal.DefaultTrackerTest.C;
import static lnlb.module.dflt.internal.DefaultTrackerTest.IDLE;
import static lnlb.module.dflt.internal.DefaultTrackerTest.assertMessageContains;
import static lnlb.module.dflt.internal.Packets.ipv4;
import static lnlb.module.dflt.internal.Packets.ipv6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import lnlb.core.api.NodeAddress;
import lnlb.core.testing.FakeCluster;
import org.junit.jupiter.api.Test;

/**
 * Format 1 ("LNDF" version 1, the layout before the tracker moved onto StateDump) still loads: the
 * dumps are fixtures written by the old code (see {@code src/test/resources/.../README.md}), the
 * same clients {@link DefaultTrackerStateTest} builds.
 */
class LegacyDumpTest {
    private static final int SOURCES = 30;
    private static final int SAVED = 1_010_000;

    static byte[] fixture(String name) {
        try (InputStream in = LegacyDumpTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] thirtyOneSources() {
        return fixture("default-v1-31-sources.bin");
    }

    @Test
    void theFixtureIsFormatOne() {
        byte[] dump = thirtyOneSources();
        assertEquals(1, ByteBuffer.wrap(dump).getShort(4));
        assertEquals(26 + 22 * (SOURCES + 1) + 4, dump.length);
    }

    @Test
    void aFormatOneDumpLoadsTheTableItsFormatTwoDumpDescribes() {
        FakeCluster cluster = new FakeCluster("nlb0", SAVED);
        DefaultTracker receiver = new DefaultTracker(IDLE, 1_000);
        receiver.loadState(cluster, thirtyOneSources());
        assertEquals(SOURCES + 1, receiver.entries(cluster));
        // same clock, same clients: the bytes the current code writes for them
        assertArrayEquals(new DefaultTrackerStateTest().dumpOfThirtyOneSources(), receiver.saveState(cluster));
    }

    @Test
    void roundTripShiftsTimestampsIntoTheReceiversClock() {
        byte[] dump = thirtyOneSources();
        FakeCluster cluster = new FakeCluster("nlb0", 77_000);
        DefaultTracker receiver = new DefaultTracker(IDLE, 1_000);
        receiver.clusterCreated(cluster);
        receiver.loadState(cluster, dump);
        assertEquals(C, receiver.related(cluster, ipv6(0xBEEF)));
        for (int i = 0; i < SOURCES; i += 7) {
            long age = 10_000 - i * 100L;
            cluster.now = 77_000;
            receiver.loadState(cluster, dump);
            cluster.now = 77_000 + IDLE - age - 1;
            assertEquals(i % 2 == 0 ? A : B, receiver.related(cluster, ipv4(10, 2, 0, i)), "before expiry of 10.2.0." + i);
            cluster.now = 77_000;
            receiver.loadState(cluster, dump);
            cluster.now = 77_000 + IDLE - age;
            assertEquals(NodeAddress.NONE, receiver.related(cluster, ipv4(10, 2, 0, i)), "at expiry of 10.2.0." + i);
        }
    }

    @Test
    void anOverfullDumpKeepsTheMostRecentlySeen() {
        FakeCluster cluster = new FakeCluster("nlb0", SAVED);
        DefaultTracker receiver = new DefaultTracker(IDLE, 5);
        receiver.loadState(cluster, thirtyOneSources());
        assertEquals(5, receiver.entries(cluster));
        assertEquals(C, receiver.related(cluster, ipv6(0xBEEF)));
        for (int i = 26; i < SOURCES; i++) {
            assertEquals(i % 2 == 0 ? A : B, receiver.related(cluster, ipv4(10, 2, 0, i)), "10.2.0." + i);
        }
        assertEquals(NodeAddress.NONE, receiver.related(cluster, ipv4(10, 2, 0, 25)));
    }

    @Test
    void overfullDumpTiesAreBrokenByKeyNotByOrder() {
        FakeCluster cluster = new FakeCluster("nlb0", 500);
        DefaultTracker receiver = new DefaultTracker(IDLE, 4);
        receiver.loadState(cluster, fixture("default-v1-40-ties.bin"));
        for (int i = 1; i <= 40; i++) {
            assertEquals(i <= 4 ? A : NodeAddress.NONE, receiver.related(cluster, ipv4(10, 3, 0, i)), "10.3.0." + i);
        }
    }

    @Test
    void anEmptyDumpEmptiesTheTable() {
        DefaultTrackerStateTest.Receiver r = new DefaultTrackerStateTest.Receiver();
        r.tracker.loadState(r.cluster, fixture("default-v1-empty.bin"));
        assertEquals(0, r.tracker.entries(r.cluster));
    }

    // ------------------------------------------------------------------ corrupt format-1 dumps

    @Test
    void everyTruncationAndFlippedBitIsRejectedAndTheTableKept() {
        byte[] dump = thirtyOneSources();
        DefaultTrackerStateTest.Receiver r = new DefaultTrackerStateTest.Receiver();
        for (int length = 0; length < dump.length; length++) {
            byte[] cut = Arrays.copyOf(dump, length);
            assertThrows(IllegalArgumentException.class, () -> r.tracker.loadState(r.cluster, cut), "length " + length);
        }
        for (int at = 0; at < dump.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = dump.clone();
                bad[at] ^= (byte) (1 << bit);
                assertThrows(IllegalArgumentException.class, () -> r.tracker.loadState(r.cluster, bad),
                        "byte " + at + " bit " + bit);
            }
        }
        r.assertUntouched();
    }

    @Test
    void lyingCountsBadCrcDuplicateKeysAndNonPositiveIdleAreRejected() {
        DefaultTrackerStateTest.Receiver r = new DefaultTrackerStateTest.Receiver();
        for (int count : new int[] {0, SOURCES, SOURCES + 2, -1, Integer.MAX_VALUE}) {
            byte[] bad = thirtyOneSources();
            ByteBuffer.wrap(bad).putInt(22, count);
            assertMessageContains("announces", () -> r.tracker.loadState(r.cluster, resealed(bad)));
        }
        byte[] crc = thirtyOneSources();
        crc[crc.length - 1] ^= 1;
        assertMessageContains("CRC", () -> r.tracker.loadState(r.cluster, crc));
        byte[] duplicate = thirtyOneSources();
        System.arraycopy(duplicate, 26, duplicate, 26 + 22, 8);
        assertMessageContains("twice", () -> r.tracker.loadState(r.cluster, resealed(duplicate)));
        byte[] idle = thirtyOneSources();
        ByteBuffer.wrap(idle).putLong(14, 0);
        assertMessageContains("idle timeout", () -> r.tracker.loadState(r.cluster, resealed(idle)));
        r.assertUntouched();
    }
}
