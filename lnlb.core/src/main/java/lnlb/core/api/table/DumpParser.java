package lnlb.core.api.table;

import static lnlb.core.api.table.DumpLayout.CLOCK_OFFSET;
import static lnlb.core.api.table.DumpLayout.COLUMN_TABLE_TAG;
import static lnlb.core.api.table.DumpLayout.CRC_LENGTH;
import static lnlb.core.api.table.DumpLayout.MAGIC_OFFSET;
import static lnlb.core.api.table.DumpLayout.PARAMETERS_OFFSET;
import static lnlb.core.api.table.DumpLayout.PARAMETER_COUNT_OFFSET;
import static lnlb.core.api.table.DumpLayout.TABLE_HEADER_LENGTH;
import static lnlb.core.api.table.DumpLayout.TABLE_TAG;
import static lnlb.core.api.table.DumpLayout.VERSION_OFFSET;
import static lnlb.core.api.table.DumpLayout.invalid;
import static lnlb.core.api.table.StateDump.COLUMN_ENTRY_LENGTH;
import static lnlb.core.api.table.StateDump.ENTRY_LENGTH;
import static lnlb.core.api.table.StateDump.MIN_LENGTH;

import java.nio.ByteBuffer;

/**
 * Checks the framing of a {@link StateDump} completely (length, magic, parameter and table counts,
 * table tags in either encoding, trailing bytes, CRC) before any view of it exists, and finds where
 * each table starts. The entries themselves are checked when read ({@link StateDump#owner},
 * {@link StateDump#table}).
 */
final class DumpParser {
    private DumpParser() {
    }

    /** {@link StateDump#read}. */
    static StateDump read(byte[] dump, int magic, String what) {
        if (dump == null) {
            throw invalid(what, "no dump (null)");
        }
        if (dump.length < MIN_LENGTH) {
            throw invalid(what, "truncated: " + dump.length + " bytes, the shortest dump has " + MIN_LENGTH);
        }
        ByteBuffer in = ByteBuffer.wrap(dump);
        int found = in.getInt(MAGIC_OFFSET);
        if (found != magic) {
            throw invalid(what, String.format("wrong magic 0x%08x (\"%s\"), expected 0x%08x (\"%s\")",
                    found, DumpLayout.ascii(found), magic, DumpLayout.ascii(magic)));
        }
        int end = dump.length - CRC_LENGTH;
        int parameterCount = in.get(PARAMETER_COUNT_OFFSET) & 0xFF;
        int at = PARAMETERS_OFFSET + 8 * parameterCount;
        if (at + 1 > end) {
            throw invalid(what, "truncated: " + parameterCount + " parameters announced, " + dump.length + " bytes");
        }
        long[] parameters = new long[parameterCount];
        for (int i = 0; i < parameterCount; i++) {
            parameters[i] = in.getLong(PARAMETERS_OFFSET + 8 * i);
        }
        int tableCount = in.get(at++) & 0xFF;
        int[] offsets = new int[tableCount];
        int[] counts = new int[tableCount];
        boolean[] columns = new boolean[tableCount];
        for (int t = 0; t < tableCount; t++) {
            if (at + TABLE_HEADER_LENGTH > end) {
                throw invalid(what, "truncated: table " + t + " of " + tableCount + " starts past the end");
            }
            int tag = in.getInt(at);
            if (tag != (COLUMN_TABLE_TAG | t) && tag != (TABLE_TAG | t)) {
                throw invalid(what, String.format("table %d: tag 0x%08x, expected 0x%08x or 0x%08x (a lying count before it?)",
                        t, tag, COLUMN_TABLE_TAG | t, TABLE_TAG | t));
            }
            columns[t] = tag == (COLUMN_TABLE_TAG | t);
            long count = in.getInt(at + 4) & 0xFFFF_FFFFL;
            long next = at + TABLE_HEADER_LENGTH + count * (columns[t] ? COLUMN_ENTRY_LENGTH : ENTRY_LENGTH);
            if (next > end) {
                throw invalid(what, "table " + t + " announces " + count + " entries, which do not fit the "
                        + dump.length + " bytes (truncated or lying count)");
            }
            offsets[t] = at + TABLE_HEADER_LENGTH;
            counts[t] = (int) count;
            at = (int) next;
        }
        if (at != end) {
            throw invalid(what, (end - at) + " bytes after the last table (lying count or garbage)");
        }
        int stored = in.getInt(end);
        int computed = DumpLayout.crc(dump, end);
        if (stored != computed) {
            throw invalid(what, String.format("CRC mismatch: stored 0x%08x, computed 0x%08x (corrupt dump)", stored, computed));
        }
        return new StateDump(what, in, in.getShort(VERSION_OFFSET) & 0xFFFF, in.getLong(CLOCK_OFFSET), parameters,
                offsets, counts, columns);
    }
}
