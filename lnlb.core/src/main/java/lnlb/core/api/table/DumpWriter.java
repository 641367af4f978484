package lnlb.core.api.table;

import static lnlb.core.api.table.DumpLayout.CLOCK_OFFSET;
import static lnlb.core.api.table.DumpLayout.COLUMN_TABLE_TAG;
import static lnlb.core.api.table.DumpLayout.CRC_LENGTH;
import static lnlb.core.api.table.DumpLayout.MAGIC_OFFSET;
import static lnlb.core.api.table.DumpLayout.PARAMETERS_OFFSET;
import static lnlb.core.api.table.DumpLayout.PARAMETER_COUNT_OFFSET;
import static lnlb.core.api.table.DumpLayout.TABLE_HEADER_LENGTH;
import static lnlb.core.api.table.DumpLayout.VERSION_OFFSET;
import static lnlb.core.api.table.StateDump.COLUMN_ENTRY_LENGTH;

import java.nio.ByteBuffer;

/**
 * Writes a {@link StateDump}, always in the column encoding: each table's entries are copied out
 * of the table into four arrays ({@link TableScans#copyEntries}) and every column goes into the
 * dump as one bulk copy.
 */
final class DumpWriter {
    private DumpWriter() {
    }

    /** {@link StateDump#write}. */
    static byte[] write(int magic, int version, long senderClock, long[] parameters, SessionTable... tables) {
        if (version < 0 || version > 0xFFFF) {
            throw new IllegalArgumentException("version must be 0..65535: " + version);
        }
        if (parameters.length > StateDump.MAX_PARAMETERS || tables.length > StateDump.MAX_TABLES) {
            throw new IllegalArgumentException("at most " + StateDump.MAX_PARAMETERS + " parameters and "
                    + StateDump.MAX_TABLES + " tables: " + parameters.length + ", " + tables.length);
        }
        long entries = 0;
        for (SessionTable table : tables) {
            entries += table == null ? 0 : table.size();
        }
        if (entries > StateDump.MAX_ENTRIES) {
            throw new IllegalArgumentException("a dump holds at most " + StateDump.MAX_ENTRIES + " entries: " + entries);
        }
        int length = PARAMETERS_OFFSET + 8 * parameters.length + 1 + TABLE_HEADER_LENGTH * tables.length
                + (int) entries * COLUMN_ENTRY_LENGTH + CRC_LENGTH;
        ByteBuffer out = ByteBuffer.allocate(length);
        out.putInt(MAGIC_OFFSET, magic);
        out.putShort(VERSION_OFFSET, (short) version);
        out.putLong(CLOCK_OFFSET, senderClock);
        out.put(PARAMETER_COUNT_OFFSET, (byte) parameters.length);
        int at = PARAMETERS_OFFSET;
        for (long parameter : parameters) {
            out.putLong(at, parameter);
            at += 8;
        }
        out.put(at++, (byte) tables.length);
        for (int t = 0; t < tables.length; t++) {
            at = writeTable(out, at, t, tables[t]);
        }
        out.putInt(at, DumpLayout.crc(out.array(), at));
        return out.array();
    }

    private static int writeTable(ByteBuffer out, int at, int index, SessionTable table) {
        int count = table == null ? 0 : table.size();
        out.putInt(at, COLUMN_TABLE_TAG | index);
        out.putInt(at + 4, count);
        long[] keys = new long[count];
        long[] owners = new long[count];
        long[] lastSeen = new long[count];
        int[] states = new int[count];
        if (table != null) {
            TableScans.copyEntries(table, keys, owners, lastSeen, states);
        }
        int keysAt = at + TABLE_HEADER_LENGTH;
        out.slice(keysAt, 8 * count).asLongBuffer().put(keys);
        out.slice(keysAt + 8 * count, 8 * count).asLongBuffer().put(owners);
        out.slice(keysAt + 16 * count, 8 * count).asLongBuffer().put(lastSeen);
        out.slice(keysAt + 24 * count, 4 * count).asIntBuffer().put(states);
        return keysAt + COLUMN_ENTRY_LENGTH * count;
    }
}
