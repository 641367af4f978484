package lnlb.module.dflt.internal;

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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.table.StateDump;
import lnlb.core.testing.FakeCluster;
import org.junit.jupiter.api.Test;

/**
 * saveState/loadState in format 2 (the StateDump framing): the format, the round trip and every way
 * a dump can be wrong. Format 1, the old layout: {@link LegacyDumpTest}.
 */
class DefaultTrackerStateTest {
    /** Where StateDump puts this format's fields: one parameter, one table in columns. */
    private static final int IDLE_AT = 15;
    private static final int COUNT_AT = IDLE_AT + 8 + 1 + 4;
    private static final int KEYS_AT = COUNT_AT + 4;

    private static final int SOURCES = 30;

    private final FakeCluster sender = new FakeCluster("nlb0", 1_000_000);
    private final DefaultTracker senderTracker = new DefaultTracker(IDLE, 1_000);

    DefaultTrackerStateTest() {
        senderTracker.clusterCreated(sender);
    }

    /** Sources 10.2.0.i, assigned at sender time 1_000_000 + i*100, plus one IPv6 source. */
    byte[] dumpOfThirtyOneSources() {
        for (int i = 0; i < SOURCES; i++) {
            sender.now = 1_000_000 + i * 100L;
            senderTracker.assigned(sender, ipv4(10, 2, 0, i), i % 2 == 0 ? A : B);
        }
        senderTracker.assigned(sender, ipv6(0xBEEF), C);
        sender.now = 1_010_000;
        return senderTracker.saveState(sender);
    }

    // ------------------------------------------------------------------ format

    @Test
    void dumpLayout() {
        byte[] dump = dumpOfThirtyOneSources();
        assertEquals("LNDF", new String(dump, 0, 4, StandardCharsets.US_ASCII));
        StateDump read = StateDump.read(dump, StateCodec.MAGIC, "test");
        assertEquals(2, read.version());
        assertEquals(1_010_000, read.senderClock());
        assertEquals(1, read.parameters());
        assertEquals(IDLE, read.parameter(0));
        assertEquals(1, read.tables());
        assertEquals(SOURCES + 1, read.entries(StateCodec.CLIENTS));
        assertEquals(IDLE, ByteBuffer.wrap(dump).getLong(IDLE_AT));
        assertEquals(SOURCES + 1, ByteBuffer.wrap(dump).getInt(COUNT_AT));

        boolean found = false;
        for (int i = 0; i < read.entries(StateCodec.CLIENTS); i++) {
            assertEquals(0, read.state(StateCodec.CLIENTS, i));
            if (read.key(StateCodec.CLIENTS, i) == 0x0A02_0003L) { // 10.2.0.3, unsigned
                assertEquals(B, read.owner(StateCodec.CLIENTS, i));
                assertEquals(1_000_300, read.lastSeen(StateCodec.CLIENTS, i));
                found = true;
            }
        }
        assertEquals(true, found);
    }

    @Test
    void emptyAndUnknownClustersSaveAnEmptyDump() {
        byte[] empty = senderTracker.saveState(sender);
        byte[] unknown = senderTracker.saveState(new FakeCluster("nlb7", 0));
        assertEquals(empty.length, unknown.length);
        assertEquals(0, StateDump.read(unknown, StateCodec.MAGIC, "test").entries(StateCodec.CLIENTS));

        DefaultTracker receiver = new DefaultTracker(IDLE, 1_000);
        FakeCluster cluster = new FakeCluster("nlb0", 3);
        receiver.clusterCreated(cluster);
        receiver.assigned(cluster, ipv4(1, 1, 1, 1), A);
        receiver.loadState(cluster, empty);
        assertEquals(0, receiver.entries(cluster));
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void roundTripShiftsTimestampsIntoTheReceiversClock() {
        byte[] dump = dumpOfThirtyOneSources();
        FakeCluster cluster = new FakeCluster("nlb0", 77_000); // a clock far behind the sender's
        DefaultTracker receiver = new DefaultTracker(IDLE, 1_000);
        receiver.clusterCreated(cluster);
        receiver.loadState(cluster, dump);
        assertEquals(SOURCES + 1, receiver.entries(cluster));
        assertEquals(C, receiver.related(cluster, ipv6(0xBEEF)));

        // 10.2.0.i was seen 10_000 - i*100 ms before the dump, so it expires IDLE - that after
        // the load. related() refreshes an entry, so each probe starts from a fresh load.
        for (int i = 0; i < SOURCES; i++) {
            long age = 10_000 - i * 100L;
            long owner = i % 2 == 0 ? A : B;
            cluster.now = 77_000;
            receiver.loadState(cluster, dump);
            cluster.now = 77_000 + IDLE - age - 1;
            assertEquals(owner, receiver.related(cluster, ipv4(10, 2, 0, i)), "just before expiry of 10.2.0." + i);
            cluster.now = 77_000;
            receiver.loadState(cluster, dump);
            cluster.now = 77_000 + IDLE - age;
            assertEquals(NodeAddress.NONE, receiver.related(cluster, ipv4(10, 2, 0, i)), "at expiry of 10.2.0." + i);
        }
    }

    @Test
    void aReloadedDumpSavesTheSameEntries() {
        byte[] dump = dumpOfThirtyOneSources();
        FakeCluster cluster = new FakeCluster("nlb0", sender.now);
        DefaultTracker receiver = new DefaultTracker(IDLE, 1_000);
        receiver.loadState(cluster, dump); // never created: loading creates the table
        assertArrayEquals(dump, receiver.saveState(cluster)); // same clock, same layout, same bytes
    }

    @Test
    void loadReplacesTheWholeTable() {
        byte[] dump = dumpOfThirtyOneSources();
        FakeCluster cluster = new FakeCluster("nlb0", 0);
        DefaultTracker receiver = new DefaultTracker(IDLE, 1_000);
        receiver.clusterCreated(cluster);
        receiver.assigned(cluster, ipv4(172, 16, 0, 1), C);
        receiver.loadState(cluster, dump);
        assertEquals(NodeAddress.NONE, receiver.related(cluster, ipv4(172, 16, 0, 1)));
        assertEquals(SOURCES + 1, receiver.entries(cluster));
    }

    @Test
    void aDifferentIdleTimeoutIsAcceptedButTheLocalOneApplies() {
        byte[] dump = dumpOfThirtyOneSources();
        FakeCluster cluster = new FakeCluster("nlb0", sender.now);
        DefaultTracker receiver = new DefaultTracker(20_000, 1_000);
        receiver.loadState(cluster, dump);
        cluster.now += 20_000 - 10_000; // 10.2.0.0 was 10 s old at the dump
        assertEquals(NodeAddress.NONE, receiver.related(cluster, ipv4(10, 2, 0, 0)));
    }

    @Test
    void anOverfullDumpKeepsTheMostRecentlySeen() {
        byte[] dump = dumpOfThirtyOneSources(); // IPv6 source seen last, at 1_002_900 like 10.2.0.29
        FakeCluster cluster = new FakeCluster("nlb0", sender.now);
        DefaultTracker receiver = new DefaultTracker(IDLE, 5);
        receiver.loadState(cluster, dump);
        assertEquals(5, receiver.entries(cluster));
        assertEquals(C, receiver.related(cluster, ipv6(0xBEEF)));
        for (int i = 26; i < SOURCES; i++) {
            assertEquals(i % 2 == 0 ? A : B, receiver.related(cluster, ipv4(10, 2, 0, i)), "10.2.0." + i);
        }
        assertEquals(NodeAddress.NONE, receiver.related(cluster, ipv4(10, 2, 0, 25)));
    }

    @Test
    void overfullDumpTiesAreBrokenByKeyNotByOrder() {
        FakeCluster s = new FakeCluster("nlb0", 500);
        DefaultTracker t = new DefaultTracker(IDLE, 100);
        t.clusterCreated(s);
        for (int i = 40; i > 0; i--) {
            t.assigned(s, ipv4(10, 3, 0, i), A); // all seen at the same time
        }
        DefaultTracker receiver = new DefaultTracker(IDLE, 4);
        receiver.loadState(s, t.saveState(s));
        for (int i = 1; i <= 40; i++) {
            assertEquals(i <= 4 ? A : NodeAddress.NONE, receiver.related(s, ipv4(10, 3, 0, i)), "10.3.0." + i);
        }
    }

    // ------------------------------------------------------------------ corrupt dumps

    @Test
    void everyTruncationIsRejectedAndTheTableKept() {
        byte[] dump = dumpOfThirtyOneSources();
        Receiver r = new Receiver();
        for (int length = 0; length < dump.length; length++) {
            byte[] cut = Arrays.copyOf(dump, length);
            assertThrows(IllegalArgumentException.class, () -> r.tracker.loadState(r.cluster, cut), "length " + length);
            r.assertUntouched();
        }
    }

    @Test
    void everyFlippedBitIsRejectedAndTheTableKept() {
        byte[] dump = dumpOfThirtyOneSources();
        Receiver r = new Receiver();
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
    void wrongMagicIsRejected() {
        byte[] dump = dumpOfThirtyOneSources();
        dump[0] = 'X';
        Receiver r = new Receiver();
        assertMessageContains("magic", () -> r.tracker.loadState(r.cluster, resealed(dump)));
        r.assertUntouched();
    }

    @Test
    void unknownVersionIsRejected() {
        byte[] dump = dumpOfThirtyOneSources();
        ByteBuffer.wrap(dump).putShort(4, (short) 3);
        Receiver r = new Receiver();
        assertMessageContains("version 3", () -> r.tracker.loadState(r.cluster, resealed(dump)));
        r.assertUntouched();
    }

    @Test
    void otherParameterOrTableCountsAreRejected() {
        Receiver r = new Receiver();
        byte[] twoTables = StateDump.write(StateCodec.MAGIC, 2, 0, new long[] {IDLE}, null, null);
        assertMessageContains("carries", () -> r.tracker.loadState(r.cluster, twoTables));
        byte[] noParameter = StateDump.write(StateCodec.MAGIC, 2, 0, new long[0], (lnlb.core.api.table.SessionTable) null);
        assertMessageContains("carries", () -> r.tracker.loadState(r.cluster, noParameter));
        r.assertUntouched();
    }

    @Test
    void aStateWordIsRejected() {
        byte[] dump = dumpOfThirtyOneSources();
        ByteBuffer.wrap(dump).putInt(KEYS_AT + 24 * (SOURCES + 1), 1);
        Receiver r = new Receiver();
        assertMessageContains("state word", () -> r.tracker.loadState(r.cluster, resealed(dump)));
        r.assertUntouched();
    }

    @Test
    void lyingCountsAreRejected() {
        byte[] dump = dumpOfThirtyOneSources();
        Receiver r = new Receiver();
        for (int count : new int[] {0, SOURCES, SOURCES + 2, -1, Integer.MAX_VALUE}) {
            byte[] bad = dump.clone();
            ByteBuffer.wrap(bad).putInt(COUNT_AT, count);
            assertMessageContains("lying count", () -> r.tracker.loadState(r.cluster, resealed(bad)));
        }
        r.assertUntouched();
    }

    @Test
    void badCrcIsRejected() {
        byte[] dump = dumpOfThirtyOneSources();
        dump[dump.length - 1] ^= 1;
        Receiver r = new Receiver();
        assertMessageContains("CRC", () -> r.tracker.loadState(r.cluster, dump));
        r.assertUntouched();
    }

    @Test
    void duplicateKeysAreRejected() {
        byte[] dump = dumpOfThirtyOneSources();
        System.arraycopy(dump, KEYS_AT, dump, KEYS_AT + 8, 8); // second entry gets the first one's key
        Receiver r = new Receiver();
        assertMessageContains("twice", () -> r.tracker.loadState(r.cluster, resealed(dump)));
        r.assertUntouched();
    }

    @Test
    void nonPositiveIdleTimeoutIsRejected() {
        byte[] dump = dumpOfThirtyOneSources();
        ByteBuffer.wrap(dump).putLong(IDLE_AT, 0);
        Receiver r = new Receiver();
        assertMessageContains("idle timeout", () -> r.tracker.loadState(r.cluster, resealed(dump)));
        r.assertUntouched();
    }

    @Test
    void nullAndEmptyAreRejected() {
        Receiver r = new Receiver();
        assertThrows(IllegalArgumentException.class, () -> r.tracker.loadState(r.cluster, null));
        assertMessageContains("truncated", () -> r.tracker.loadState(r.cluster, new byte[0]));
        r.assertUntouched();
    }

    // ------------------------------------------------------------------ helpers

    /** Recomputes the CRC, so that a deliberate change reaches the check behind the CRC. */
    static byte[] resealed(byte[] dump) {
        CRC32 crc = new CRC32();
        crc.update(dump, 0, dump.length - 4);
        ByteBuffer.wrap(dump).putInt(dump.length - 4, (int) crc.getValue());
        return dump;
    }

    /** A tracker holding a known table, to check that failed loads leave it alone. */
    static final class Receiver {
        final FakeCluster cluster = new FakeCluster("nlb0", 42);
        final DefaultTracker tracker = new DefaultTracker(IDLE, 1_000);
        final byte[] before;

        Receiver() {
            tracker.clusterCreated(cluster);
            tracker.assigned(cluster, ipv4(172, 16, 0, 1), A);
            tracker.assigned(cluster, ipv4(172, 16, 0, 2), C);
            before = tracker.saveState(cluster);
        }

        void assertUntouched() {
            assertArrayEquals(before, tracker.saveState(cluster));
        }
    }
}
