package lnlb.core.api.table;

import java.util.zip.CRC32;

/**
 * The byte layout of the {@link StateDump} framing (its class comment draws it), shared by the
 * writer ({@link DumpWriter}), the checker ({@link DumpParser}) and the view ({@link StateDump}):
 * offsets, table tags, the CRC and the wording of errors.
 */
final class DumpLayout {
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
    static final int CLOCK_OFFSET = VERSION_OFFSET + 2;
    static final int PARAMETER_COUNT_OFFSET = CLOCK_OFFSET + 8;
    static final int PARAMETERS_OFFSET = PARAMETER_COUNT_OFFSET + 1;

    /** Offsets inside an entry of the row encoding. */
    static final int ENTRY_KEY_OFFSET = 0;
    static final int ENTRY_OWNER_OFFSET = ENTRY_KEY_OFFSET + 8;
    static final int ENTRY_LAST_SEEN_OFFSET = ENTRY_OWNER_OFFSET + 6;
    static final int ENTRY_STATE_OFFSET = ENTRY_LAST_SEEN_OFFSET + 8;

    /** Introduces table t in the row encoding: "TB" followed by t. */
    static final int TABLE_TAG = 0x5442_0000;
    /** Introduces table t in the column encoding: "TC" followed by t. */
    static final int COLUMN_TABLE_TAG = 0x5443_0000;
    /** Tag and entry count. */
    static final int TABLE_HEADER_LENGTH = 8;
    static final int CRC_LENGTH = 4;

    /** Bytes besides the entries in the largest header. */
    static final int MAX_OVERHEAD = PARAMETERS_OFFSET + 8 * StateDump.MAX_PARAMETERS + 1
            + TABLE_HEADER_LENGTH * StateDump.MAX_TABLES + CRC_LENGTH;

    private DumpLayout() {
    }

    /** CRC-32 (IEEE 802.3) of the first {@code length} bytes. */
    static int crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /** A magic as four printable characters, {@code ?} for the others. */
    static String ascii(int magic) {
        char[] text = new char[4];
        for (int i = 0; i < 4; i++) {
            int c = (magic >>> (24 - 8 * i)) & 0xFF;
            text[i] = c >= 0x20 && c < 0x7F ? (char) c : '?';
        }
        return new String(text);
    }

    /** The exception for a bad dump: {@code what: reason}. */
    static IllegalArgumentException invalid(String what, String reason) {
        return new IllegalArgumentException(what + ": " + reason);
    }
}
