package lnlb.core.testing;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import lnlb.core.api.table.StateDump;

/**
 * Where the fields of a {@link StateDump} written by {@link StateDump#write} sit (the column
 * encoding its javadoc gives), for module tests that corrupt one field of one entry and then
 * {@link #resealed reseal} the dump so that only the module's own checks can catch it.
 */
public final class DumpBytes {
    private static final int PARAMETER_COUNT = 14;
    private static final int TABLE_HEADER = 8;

    private DumpBytes() {
    }

    /** Offset of table {@code table}'s tag. */
    public static int table(byte[] dump, int table) {
        ByteBuffer in = ByteBuffer.wrap(dump);
        int at = PARAMETER_COUNT + 1 + 8 * (in.get(PARAMETER_COUNT) & 0xFF) + 1;
        for (int t = 0; t < table; t++) {
            at += TABLE_HEADER + StateDump.COLUMN_ENTRY_LENGTH * entries(dump, at);
        }
        return at;
    }

    public static int key(byte[] dump, int table, int index) {
        return table(dump, table) + TABLE_HEADER + 8 * index;
    }

    public static int owner(byte[] dump, int table, int index) {
        int at = table(dump, table);
        return at + TABLE_HEADER + 8 * (entries(dump, at) + index);
    }

    public static int lastSeen(byte[] dump, int table, int index) {
        int at = table(dump, table);
        return at + TABLE_HEADER + 8 * (2 * entries(dump, at) + index);
    }

    public static int state(byte[] dump, int table, int index) {
        int at = table(dump, table);
        return at + TABLE_HEADER + 24 * entries(dump, at) + 4 * index;
    }

    /** The dump with its CRC computed again over what precedes it. */
    public static byte[] resealed(byte[] dump) {
        CRC32 crc = new CRC32();
        crc.update(dump, 0, dump.length - 4);
        ByteBuffer.wrap(dump).putInt(dump.length - 4, (int) crc.getValue());
        return dump;
    }

    private static int entries(byte[] dump, int tableAt) {
        return ByteBuffer.wrap(dump).getInt(tableAt + 4);
    }
}
