package lnlb.core.api.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import lnlb.core.api.NodeAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class StateDumpTest {
    private static final int MAGIC = 0x5445_5354; // "TEST"
    private static final long A = 0x02_00_00_00_00_0AL;
    private static final long B = 0x02_00_00_00_00_0BL;
    private static final long IDLE = 60_000;

    /** 20 entries (keys 100.., states 0..4) and 5 entries (keys 900..). */
    private static SessionTable[] tables() {
        SessionTable first = new SessionTable(100, IDLE);
        for (int i = 0; i < 20; i++) {
            first.put(100 + i, i % 2 == 0 ? A : B, 5_000 + i, i % 5);
        }
        SessionTable second = new SessionTable(100, IDLE);
        for (int i = 0; i < 5; i++) {
            second.put(900 + i, A, 7_000 + i, 0);
        }
        return new SessionTable[] {first, second};
    }

    private static byte[] dump() {
        return StateDump.write(MAGIC, 3, 10_000, new long[] {IDLE, -7}, tables());
    }

    // ------------------------------------------------------------------ format

    @Test
    void layout() {
        byte[] dump = dump();
        ByteBuffer in = ByteBuffer.wrap(dump);
        assertEquals("TEST", new String(dump, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(3, in.getShort(4));
        assertEquals(10_000, in.getLong(6));
        assertEquals(2, in.get(14));
        assertEquals(IDLE, in.getLong(15));
        assertEquals(-7, in.getLong(23));
        assertEquals(2, in.get(31));
        assertEquals(0x5443_0000, in.getInt(32)); // "TC" 0: columns
        assertEquals(20, in.getInt(36));
        int second = 40 + 20 * StateDump.COLUMN_ENTRY_LENGTH;
        assertEquals(0x5443_0001, in.getInt(second));
        assertEquals(5, in.getInt(second + 4));
        assertEquals(second + 8 + 5 * 28 + 4, dump.length);
        CRC32 crc = new CRC32();
        crc.update(dump, 0, dump.length - 4);
        assertEquals((int) crc.getValue(), in.getInt(dump.length - 4));
        boolean found = false;
        for (int i = 0; i < 20; i++) { // columns: 20 keys, 20 owners, 20 times, 20 states
            if (in.getLong(40 + 8 * i) == 107) {
                assertEquals(B, in.getLong(40 + 160 + 8 * i));
                assertEquals(5_007, in.getLong(40 + 320 + 8 * i));
                assertEquals(2, in.getInt(40 + 480 + 4 * i));
                found = true;
            }
        }
        assertTrue(found);
    }

    @Test
    void aRowDumpOfVersion110IsRead() {
        SessionTable[] original = tables();
        StateDump read = StateDump.read(rows(MAGIC, 3, 10_000, new long[] {IDLE, -7}, original), MAGIC, "test");
        assertEquals(3, read.version());
        assertEquals(-7, read.parameter(1));
        assertEquals(20, read.entries(0));
        assertEquals(entries(original[0]), entries(read.table(0, 100, IDLE, (seen, state) -> seen)));
        assertEquals(entries(original[1]), entries(read.table(1, 100, IDLE, (seen, state) -> seen)));
        assertEquals(10, read.table(0, 10, IDLE, (seen, state) -> seen).size(), "an over-full row table keeps 10");
        int[] states = read.states(0);
        for (int i = 0; i < states.length; i++) {
            assertEquals(read.state(0, i), states[i]);
            assertEquals(StateDump.read(dump(), MAGIC, "test").state(0, i), states[i]);
        }
    }

    @Test
    void columnsAndRowsGiveTheSameEntries() {
        StateDump columns = StateDump.read(dump(), MAGIC, "test");
        StateDump rows = StateDump.read(rows(MAGIC, 3, 10_000, new long[] {IDLE, -7}, tables()), MAGIC, "test");
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < columns.entries(t); i++) {
                assertEquals(rows.key(t, i), columns.key(t, i));
                assertEquals(rows.owner(t, i), columns.owner(t, i));
                assertEquals(rows.lastSeen(t, i), columns.lastSeen(t, i));
                assertEquals(rows.state(t, i), columns.state(t, i));
            }
            assertArrayEquals(rows.states(t), columns.states(t));
        }
    }

    @Test
    void anOwnerThatIsNoNodeAddressIsRejected() {
        byte[] dump = dump();
        ByteBuffer.wrap(dump).putLong(40 + 160 + 8 * 3, -1L); // entry 3's owner: NONE
        StateDump read = StateDump.read(resealed(dump), MAGIC, "test");
        assertMessageContains("not a node address", () -> read.owner(0, 3));
        assertMessageContains("not a node address", () -> read.table(0, 100, IDLE, (seen, state) -> seen));
    }

    @Test
    void theShortestDumpAndNullTables() {
        byte[] empty = StateDump.write(MAGIC, 0, 1, new long[0]);
        assertEquals(StateDump.MIN_LENGTH, empty.length);
        StateDump read = StateDump.read(empty, MAGIC, "test");
        assertEquals(0, read.tables());
        assertEquals(0, read.parameters());
        StateDump nulls = StateDump.read(StateDump.write(MAGIC, 1, 1, new long[0], (SessionTable) null), MAGIC, "test");
        assertEquals(1, nulls.tables());
        assertEquals(0, nulls.entries(0));
    }

    @Test
    void readGivesWhatWasWritten() {
        StateDump read = StateDump.read(dump(), MAGIC, "test");
        assertEquals(3, read.version());
        assertEquals(10_000, read.senderClock());
        assertEquals(2, read.parameters());
        assertEquals(-7, read.parameter(1));
        assertEquals(2, read.tables());
        assertEquals(20, read.entries(0));
        assertEquals(5, read.entries(1));
        assertThrows(IndexOutOfBoundsException.class, () -> read.key(1, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> read.key(0, -1));
    }

    @Test
    void writeRejectsWhatTheFormatCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> StateDump.write(MAGIC, 65536, 0, new long[0]));
        assertThrows(IllegalArgumentException.class, () -> StateDump.write(MAGIC, -1, 0, new long[0]));
        assertThrows(IllegalArgumentException.class, () -> StateDump.write(MAGIC, 1, 0, new long[256]));
        assertThrows(IllegalArgumentException.class, () -> StateDump.write(MAGIC, 1, 0, new long[0], new SessionTable[256]));
    }

    // ------------------------------------------------------------------ tables

    @Test
    void tablesComeBackWithMappedTimes() {
        SessionTable[] original = tables();
        StateDump read = StateDump.read(dump(), MAGIC, "test");
        SessionTable first = read.table(0, 100, IDLE, (seen, state) -> seen + 1_000 * state + 1);
        assertEquals(20, first.size());
        for (int i = 0; i < 20; i++) {
            int slot = first.find(100 + i);
            assertEquals(i % 2 == 0 ? A : B, first.owner(slot));
            assertEquals(i % 5, first.state(slot));
            assertEquals(5_000 + i + 1_000 * (i % 5) + 1, first.lastSeen(slot));
        }
        assertEquals(entries(original[1]), entries(read.table(1, 100, IDLE, (seen, state) -> seen)));
        assertEquals(IDLE, first.idleMillis());
        assertEquals(100, first.maxEntries());
    }

    @Test
    void aTableSizedAtOnceHasTheCapacityInsertsWouldReach() {
        for (int n = 0; n <= 2_000; n += n < 50 ? 1 : 37) {
            SessionTable one = new SessionTable(5_000, IDLE);
            for (int i = 0; i < n; i++) {
                one.put(i * 7919L, A, i, 0);
            }
            SessionTable loaded = StateDump.read(StateDump.write(MAGIC, 1, 0, new long[0], one), MAGIC, "test")
                    .table(0, 5_000, IDLE, (seen, state) -> seen);
            assertEquals(one.capacity(), loaded.capacity(), "n = " + n);
            assertEquals(entries(one), entries(loaded));
        }
        SessionTable tiny = StateDump.read(StateDump.write(MAGIC, 1, 0, new long[0], new SessionTable(1, IDLE)), MAGIC, "t")
                .table(0, 1, IDLE, (seen, state) -> seen);
        assertEquals(2, tiny.capacity());
    }

    @Test
    void anOverfullTableKeepsTheLatestMappedTimesThenTheSmallerKeys() {
        SessionTable big = new SessionTable(100, IDLE);
        for (int i = 0; i < 40; i++) {
            big.put(1_000 - i, A, i < 30 ? i : 29, 0); // keys 971..961 share the latest time, 29
        }
        StateDump read = StateDump.read(StateDump.write(MAGIC, 1, 0, new long[0], big), MAGIC, "test");
        SessionTable kept = read.table(0, 5, IDLE, (seen, state) -> seen);
        assertEquals(5, kept.size());
        for (long key = 961; key <= 965; key++) {
            assertTrue(kept.find(key) != SessionTable.NOT_FOUND, "key " + key);
        }
        // The mapping decides: make the oldest the latest.
        SessionTable reversed = read.table(0, 3, IDLE, (seen, state) -> -seen);
        for (long key = 1_000; key >= 998; key--) {
            assertTrue(reversed.find(key) != SessionTable.NOT_FOUND, "key " + key);
        }
    }

    @Test
    void aKeyTwiceIsRejected() {
        byte[] dump = dump();
        System.arraycopy(dump, 40, dump, 40 + 8, 8); // second entry of table 0 gets the first one's key
        StateDump read = StateDump.read(resealed(dump), MAGIC, "test");
        assertMessageContains("twice", () -> read.table(0, 100, IDLE, (seen, state) -> seen));
        assertMessageContains("twice", () -> read.table(0, 10, IDLE, (seen, state) -> seen)); // over-full path
    }

    // ------------------------------------------------------------------ corrupt dumps

    @Test
    void everyTruncationIsRejected() {
        byte[] dump = dump();
        for (int length = 0; length < dump.length; length++) {
            byte[] cut = Arrays.copyOf(dump, length);
            assertThrows(IllegalArgumentException.class, () -> StateDump.read(cut, MAGIC, "test"), "length " + length);
        }
    }

    @Test
    void everyFlippedBitIsRejected() {
        byte[] dump = dump();
        for (int at = 0; at < dump.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = dump.clone();
                bad[at] ^= (byte) (1 << bit);
                assertThrows(IllegalArgumentException.class, () -> StateDump.read(bad, MAGIC, "test"),
                        "byte " + at + " bit " + bit);
            }
        }
    }

    @Test
    void messagesSayWhatIsWrong() {
        assertMessageContains("test: no dump", () -> StateDump.read(null, MAGIC, "test"));
        assertMessageContains("truncated", () -> StateDump.read(new byte[3], MAGIC, "test"));
        assertMessageContains("wrong magic 0x54455354 (\"TEST\"), expected 0x4c4e5443 (\"LNTC\")",
                () -> StateDump.read(dump(), 0x4C4E_5443, "test"));
        byte[] bad = dump();
        bad[bad.length - 1] ^= 1;
        assertMessageContains("CRC", () -> StateDump.read(bad, MAGIC, "test"));
    }

    @Test
    void lyingCountsAreRejectedEvenWithAGoodCrc() {
        for (int count : new int[] {0, 19, 21, 25, -1, Integer.MAX_VALUE}) {
            byte[] bad = dump();
            ByteBuffer.wrap(bad).putInt(36, count);
            assertThrows(IllegalArgumentException.class, () -> StateDump.read(resealed(bad), MAGIC, "test"),
                    "count " + count);
        }
        for (int tag : new int[] {0, 0x5442_0001, 0x5442_0100, 0x5443_0001, 0x5444_0000}) {
            byte[] bad = dump();
            ByteBuffer.wrap(bad).putInt(32, tag);
            assertMessageContains("tag", () -> StateDump.read(resealed(bad), MAGIC, "test"));
        }
        for (int tables : new int[] {0, 1, 3, 255}) {
            byte[] bad = dump();
            bad[31] = (byte) tables;
            assertThrows(IllegalArgumentException.class, () -> StateDump.read(resealed(bad), MAGIC, "test"));
        }
        for (int parameters : new int[] {0, 1, 3, 255}) {
            byte[] bad = dump();
            bad[14] = (byte) parameters;
            assertThrows(IllegalArgumentException.class, () -> StateDump.read(resealed(bad), MAGIC, "test"));
        }
        byte[] longer = Arrays.copyOf(dump(), dump().length + 26);
        assertMessageContains("after the last table", () -> StateDump.read(resealed(longer), MAGIC, "test"));
    }

    @Test
    void theDumpIsReadNotCopied() {
        byte[] dump = dump();
        StateDump read = StateDump.read(dump, MAGIC, "test");
        assertEquals(read.key(0, 0), ByteBuffer.wrap(dump).getLong(40));
        assertArrayEquals(dump(), dump);
    }

    // ------------------------------------------------------------------ helpers

    /** The row encoding of lnlb.core.api.table 1.1.0, written byte by byte as its javadoc gave it. */
    static byte[] rows(int magic, int version, long clock, long[] parameters, SessionTable... tables) {
        int entries = 0;
        for (SessionTable table : tables) {
            entries += table.size();
        }
        ByteBuffer out = ByteBuffer.allocate(15 + 8 * parameters.length + 1 + 8 * tables.length + 26 * entries + 4);
        out.putInt(magic).putShort((short) version).putLong(clock).put((byte) parameters.length);
        for (long parameter : parameters) {
            out.putLong(parameter);
        }
        out.put((byte) tables.length);
        for (int t = 0; t < tables.length; t++) {
            out.putInt(0x5442_0000 | t).putInt(tables[t].size());
            tables[t].forEach((key, owner, lastSeen, state) -> {
                out.putLong(key);
                NodeAddress.write(out, out.position(), owner);
                out.position(out.position() + 6);
                out.putLong(lastSeen).putInt(state);
            });
        }
        return resealed(out.array());
    }

    static byte[] resealed(byte[] dump) {
        CRC32 crc = new CRC32();
        crc.update(dump, 0, dump.length - 4);
        ByteBuffer.wrap(dump).putInt(dump.length - 4, (int) crc.getValue());
        return dump;
    }

    static Map<Long, String> entries(SessionTable table) {
        Map<Long, String> entries = new TreeMap<>();
        table.forEach((key, owner, lastSeen, state) -> entries.put(key, owner + "/" + lastSeen + "/" + state));
        return entries;
    }

    static void assertMessageContains(String text, Executable executable) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertTrue(e.getMessage().contains(text), "message should name " + text + ": " + e.getMessage());
    }
}
