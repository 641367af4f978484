package lnlb.module.dflt.internal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.table.SessionTable;
import lnlb.core.api.table.StateDump;

/**
 * Format 1 of the default tracker's dump, written before the tracker moved onto {@link StateDump}
 * (what an older node hands over in a join or a swap). Read only: it is checked and rewritten into
 * the {@code StateDump} framing, so that the rule that picks the survivors of an over-full dump
 * exists once, in {@link StateDump#table}. Big-endian:
 *
 * <pre>
 *  offset      size  field
 *  0           4     magic "LNDF" (0x4C4E4446)
 *  4           2     format version, unsigned (1)
 *  6           8     sender clock: Cluster.nowMillis() on the sender when it saved
 *  14          8     sender idle timeout, ms
 *  22          4     entry count N, unsigned
 *  26          22*N  entries: key u64 (Datagram.sourceKey()), owner MAC 6 bytes, last seen u64
 *  26 + 22*N   4     CRC-32 (java.util.zip.CRC32) of bytes [0, 26 + 22*N)
 * </pre>
 */
final class LegacyDump {
    static final int MAGIC = 0x4C4E_4446; // "LNDF"
    static final int VERSION = 1;

    private static final int VERSION_OFFSET = 4;
    private static final int CLOCK_OFFSET = VERSION_OFFSET + 2;
    private static final int IDLE_OFFSET = CLOCK_OFFSET + 8;
    private static final int COUNT_OFFSET = IDLE_OFFSET + 8;
    private static final int ENTRIES_OFFSET = COUNT_OFFSET + 4;
    private static final int ENTRY_OWNER_OFFSET = 8;
    private static final int ENTRY_LAST_SEEN_OFFSET = ENTRY_OWNER_OFFSET + 6;
    private static final int ENTRY_LENGTH = ENTRY_LAST_SEEN_OFFSET + 8;
    private static final int CRC_LENGTH = 4;
    private static final int MIN_LENGTH = ENTRIES_OFFSET + CRC_LENGTH;

    private LegacyDump() {
    }

    /** True if {@code dump} says it is format 1: the "LNDF" magic and version 1. */
    static boolean is(byte[] dump) {
        if (dump == null || dump.length < CLOCK_OFFSET) {
            return false;
        }
        ByteBuffer in = ByteBuffer.wrap(dump);
        return in.getInt(0) == MAGIC && (in.getShort(VERSION_OFFSET) & 0xFFFF) == VERSION;
    }

    /**
     * Checks a format-1 dump completely (length, count, CRC, idle timeout, duplicate keys) and
     * writes the same entries in the {@link StateDump} framing: version 1, parameter 0 the idle
     * timeout, table 0 the clients with state word 0, clock unchanged.
     *
     * @throws IllegalArgumentException saying what is wrong, prefixed with {@code what}
     */
    static byte[] toStateDump(byte[] dump, String what) {
        if (dump.length < MIN_LENGTH) {
            throw invalid(what, "truncated: " + dump.length + " bytes, the shortest version 1 dump has " + MIN_LENGTH);
        }
        ByteBuffer in = ByteBuffer.wrap(dump);
        long count = in.getInt(COUNT_OFFSET) & 0xFFFF_FFFFL;
        long expected = MIN_LENGTH + count * ENTRY_LENGTH;
        if (expected != dump.length) {
            throw invalid(what, "announces " + count + " entries, which take " + expected + " bytes, but the dump has "
                    + dump.length + " (truncated or lying count)");
        }
        int crcOffset = dump.length - CRC_LENGTH;
        CRC32 crc = new CRC32();
        crc.update(dump, 0, crcOffset);
        if (in.getInt(crcOffset) != (int) crc.getValue()) {
            throw invalid(what, String.format("CRC mismatch: stored 0x%08x, computed 0x%08x (corrupt dump)",
                    in.getInt(crcOffset), (int) crc.getValue()));
        }
        long senderIdle = in.getLong(IDLE_OFFSET);
        if (senderIdle <= 0) {
            throw invalid(what, "the sender's idle timeout is not positive: " + senderIdle + " ms");
        }
        int n = (int) count;
        // Holds every entry (no bound is reached, so nothing expires or is evicted); the receiver's
        // bound applies when StateDump.table reads the rewritten dump.
        SessionTable all = new SessionTable(Math.max(1, n), senderIdle);
        for (int i = 0, at = ENTRIES_OFFSET; i < n; i++, at += ENTRY_LENGTH) {
            long key = in.getLong(at);
            if (all.find(key) != SessionTable.NOT_FOUND) {
                throw invalid(what, "key " + key + " appears twice");
            }
            all.put(key, NodeAddress.read(in, at + ENTRY_OWNER_OFFSET), in.getLong(at + ENTRY_LAST_SEEN_OFFSET), 0);
        }
        return StateDump.write(MAGIC, VERSION, in.getLong(CLOCK_OFFSET), new long[] {senderIdle}, all);
    }

    private static IllegalArgumentException invalid(String what, String reason) {
        return new IllegalArgumentException(what + ": " + reason);
    }
}
