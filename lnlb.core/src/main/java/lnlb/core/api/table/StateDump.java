package lnlb.core.api.table;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import lnlb.core.api.NodeAddress;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The framing of a protocol module's state dump ({@code saveState}/{@code loadState}): a
 * module-chosen magic and format version, the sender's clock, a few module-defined parameters
 * (timeouts, ...) and any number of {@link SessionTable}s, sealed with a CRC. The module decides
 * what the version, the parameters, the tables and the state words mean; this class writes the
 * bytes, checks them completely and rebuilds tables from them, so that no module hand-rolls
 * offsets and bound checks.
 *
 * <pre>
 * Big-endian (network order) throughout.
 *  offset        size   field
 *  0             4      magic (the module's, e.g. "LNTC")
 *  4             2      format version, unsigned (the module's)
 *  6             8      sender clock: Cluster.nowMillis() when saved
 *  14            1      P, number of parameters (0..255)
 *  15            8*P    parameters, signed 64-bit, meaning set by module and version
 *  15+8P         1      T, number of tables (0..255)
 *  then for each table t = 0 .. T-1:
 *                4      tag "TB" + t as u16 (0x5442_0000 | t), so that a count that lies is caught
 *                       even when the lengths happen to add up
 *                4      N, entry count, unsigned
 *                26*N   entries, each:
 *                         +0   8  key
 *                         +8   6  owner node MAC
 *                         +14  8  last seen, sender clock
 *                         +22  4  state word
 *  end - 4       4      CRC-32 (IEEE 802.3, java.util.zip.CRC32) of every byte before it
 * </pre>
 *
 * <h2>Compatibility</h2>
 * The framing is the same for every version, so a newer module reads an older dump by looking at
 * {@link #version()}, {@link #parameters()} and {@link #tables()}: a version that added a table or
 * a parameter simply has more of them. Entries come in the sender's slot order, which carries no
 * meaning.
 *
 * <h2>Checks</h2>
 * {@link #read} rejects, with an {@link IllegalArgumentException} saying why, a dump that is
 * null, truncated, of another magic, whose counts do not add up to its length, or whose CRC does
 * not match. {@link #table} also rejects a key that appears twice in one table. Nothing is built
 * until the dump is known good, so a module that replaces its state only after every call returned
 * keeps its old state on a bad dump.
 *
 * <h2>Time</h2>
 * Last-seen times are written as the table holds them, on the sender's clock. {@link #table}
 * passes each through a module-supplied {@link TimeMapper}, at least to shift it by
 * {@code receiverNow - senderClock} so that ages survive the transfer whatever the two clocks read.
 */
public final class StateDump {
    /** Bytes per entry. */
    public static final int ENTRY_LENGTH = 26;

    /** The most parameters a dump carries. */
    public static final int MAX_PARAMETERS = 255;

    /** The most tables a dump carries. */
    public static final int MAX_TABLES = 255;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
    static final int CLOCK_OFFSET = VERSION_OFFSET + 2;
    static final int PARAMETER_COUNT_OFFSET = CLOCK_OFFSET + 8;
    static final int PARAMETERS_OFFSET = PARAMETER_COUNT_OFFSET + 1;

    static final int ENTRY_KEY_OFFSET = 0;
    static final int ENTRY_OWNER_OFFSET = ENTRY_KEY_OFFSET + 8;
    static final int ENTRY_LAST_SEEN_OFFSET = ENTRY_OWNER_OFFSET + 6;
    static final int ENTRY_STATE_OFFSET = ENTRY_LAST_SEEN_OFFSET + 8;

    /** Introduces table t: "TB" followed by t. */
    static final int TABLE_TAG = 0x5442_0000;
    /** Tag and entry count. */
    static final int TABLE_HEADER_LENGTH = 8;
    static final int CRC_LENGTH = 4;

    /** The shortest dump: no parameter, no table. */
    public static final int MIN_LENGTH = PARAMETERS_OFFSET + 1 + CRC_LENGTH;

    /** Bytes besides the entries in the largest header. */
    static final int MAX_OVERHEAD = PARAMETERS_OFFSET + 8 * MAX_PARAMETERS + 1 + TABLE_HEADER_LENGTH * MAX_TABLES
            + CRC_LENGTH;

    /** The most entries, over all tables, that one dump (one Java array) can carry. */
    public static final int MAX_ENTRIES = (Integer.MAX_VALUE - 8 - MAX_OVERHEAD) / ENTRY_LENGTH;

    private final String what;
    private final ByteBuffer in;
    private final int version;
    private final long senderClock;
    private final long[] parameters;
    /** Index of the first entry of each table. */
    private final int[] offsets;
    private final int[] counts;

    private StateDump(String what, ByteBuffer in, int version, long senderClock, long[] parameters, int[] offsets,
            int[] counts) {
        this.what = what;
        this.in = in;
        this.version = version;
        this.senderClock = senderClock;
        this.parameters = parameters;
        this.offsets = offsets;
        this.counts = counts;
    }

    /** Turns a last-seen time of the sender into the receiver's; may depend on the entry's state word. */
    @ConsumerType
    @FunctionalInterface
    public interface TimeMapper {
        long lastSeen(long senderLastSeen, int state);
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes a dump. A {@code null} table is written as an empty one.
     *
     * @param version the module's format version, 0..65535
     * @param senderClock {@code Cluster.nowMillis()} now
     * @param parameters at most {@link #MAX_PARAMETERS}
     * @param tables at most {@link #MAX_TABLES}, holding at most {@link #MAX_ENTRIES} entries together
     * @throws IllegalArgumentException if a limit is exceeded
     */
    public static byte[] write(int magic, int version, long senderClock, long[] parameters, SessionTable... tables) {
        if (version < 0 || version > 0xFFFF) {
            throw new IllegalArgumentException("version must be 0..65535: " + version);
        }
        if (parameters.length > MAX_PARAMETERS || tables.length > MAX_TABLES) {
            throw new IllegalArgumentException("at most " + MAX_PARAMETERS + " parameters and " + MAX_TABLES
                    + " tables: " + parameters.length + ", " + tables.length);
        }
        long entries = 0;
        for (SessionTable table : tables) {
            entries += table == null ? 0 : table.size();
        }
        if (entries > MAX_ENTRIES) {
            throw new IllegalArgumentException("a dump holds at most " + MAX_ENTRIES + " entries: " + entries);
        }
        int length = PARAMETERS_OFFSET + 8 * parameters.length + 1 + TABLE_HEADER_LENGTH * tables.length
                + (int) entries * ENTRY_LENGTH + CRC_LENGTH;
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
        out.putInt(at, crc(out.array(), at));
        return out.array();
    }

    private static int writeTable(ByteBuffer out, int at, int index, SessionTable table) {
        int count = table == null ? 0 : table.size();
        out.putInt(at, TABLE_TAG | index);
        out.putInt(at + 4, count);
        int[] next = {at + TABLE_HEADER_LENGTH};
        if (table != null) {
            table.forEach((key, owner, lastSeen, state) -> {
                int e = next[0];
                out.putLong(e + ENTRY_KEY_OFFSET, key);
                NodeAddress.write(out, e + ENTRY_OWNER_OFFSET, owner);
                out.putLong(e + ENTRY_LAST_SEEN_OFFSET, lastSeen);
                out.putInt(e + ENTRY_STATE_OFFSET, state);
                next[0] = e + ENTRY_LENGTH;
            });
        }
        return next[0];
    }

    // ---------------------------------------------------------------- reading

    /**
     * Checks the framing of a dump completely (lengths, counts, magic, CRC) and returns a view of
     * it. The array is not copied: do not change it while using the view.
     *
     * @param what names the dump in error messages, e.g. {@code "tcp tracker state"}
     * @throws IllegalArgumentException saying what is wrong with the dump
     */
    public static StateDump read(byte[] dump, int magic, String what) {
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
                    found, ascii(found), magic, ascii(magic)));
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
        for (int t = 0; t < tableCount; t++) {
            if (at + TABLE_HEADER_LENGTH > end) {
                throw invalid(what, "truncated: table " + t + " of " + tableCount + " starts past the end");
            }
            int tag = in.getInt(at);
            if (tag != (TABLE_TAG | t)) {
                throw invalid(what, String.format("table %d: tag 0x%08x, expected 0x%08x (a lying count before it?)",
                        t, tag, TABLE_TAG | t));
            }
            long count = in.getInt(at + 4) & 0xFFFF_FFFFL;
            long next = at + TABLE_HEADER_LENGTH + count * ENTRY_LENGTH;
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
        int computed = crc(dump, end);
        if (stored != computed) {
            throw invalid(what, String.format("CRC mismatch: stored 0x%08x, computed 0x%08x (corrupt dump)", stored, computed));
        }
        return new StateDump(what, in, in.getShort(VERSION_OFFSET) & 0xFFFF, in.getLong(CLOCK_OFFSET), parameters,
                offsets, counts);
    }

    /** The module's format version. */
    public int version() {
        return version;
    }

    /** {@code Cluster.nowMillis()} on the sender when it saved. */
    public long senderClock() {
        return senderClock;
    }

    /** Number of parameters. */
    public int parameters() {
        return parameters.length;
    }

    /** Parameter {@code index}. */
    public long parameter(int index) {
        return parameters[index];
    }

    /** Number of tables. */
    public int tables() {
        return counts.length;
    }

    /** Entries in table {@code table}. */
    public int entries(int table) {
        return counts[table];
    }

    /** Key of entry {@code index} of table {@code table}. */
    public long key(int table, int index) {
        return in.getLong(entry(table, index) + ENTRY_KEY_OFFSET);
    }

    /**
     * Owner of an entry. Six bytes always make a valid node address: {@code NONE} cannot be
     * encoded, so there is nothing to check.
     */
    public long owner(int table, int index) {
        return NodeAddress.read(in, entry(table, index) + ENTRY_OWNER_OFFSET);
    }

    /** Last-seen time of an entry, on the sender's clock. */
    public long lastSeen(int table, int index) {
        return in.getLong(entry(table, index) + ENTRY_LAST_SEEN_OFFSET);
    }

    /** State word of an entry. */
    public int state(int table, int index) {
        return in.getInt(entry(table, index) + ENTRY_STATE_OFFSET);
    }

    private int entry(int table, int index) {
        if (index < 0 || index >= counts[table]) {
            throw new IndexOutOfBoundsException("entry " + index + " of table " + table + " (" + counts[table] + ")");
        }
        return offsets[table] + index * ENTRY_LENGTH;
    }

    /**
     * Builds a new {@link SessionTable} from table {@code table}: every entry with its key, owner and
     * state, its last-seen time passed through {@code time}. If the dump holds more than
     * {@code maxEntries} entries, those with the latest mapped time are kept, ties going to the
     * smaller key; the choice depends only on the entries, not on their order, so every node
     * loading the same dump keeps the same ones ({@code entries(table) - result.size()} were
     * dropped). The table is sized for its entries at once, which ends in the layout that
     * inserting them one by one would give.
     *
     * @throws IllegalArgumentException if a key appears twice, or for {@code maxEntries} or
     *     {@code idleMillis} out of range (as {@link SessionTable#SessionTable(int, long)})
     */
    public SessionTable table(int table, int maxEntries, long idleMillis, TimeMapper time) {
        int n = counts[table];
        SessionTable result = new SessionTable(maxEntries, idleMillis, initialCapacity(Math.min(n, maxEntries)));
        if (n <= maxEntries) {
            for (int i = 0; i < n; i++) {
                long key = key(table, i);
                int state = state(table, i);
                int before = result.size();
                result.put(key, owner(table, i), time.lastSeen(lastSeen(table, i), state), state);
                if (result.size() == before) {
                    throw duplicate(table, key);
                }
            }
            return result;
        }
        long[] keys = new long[n];
        long[] seen = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = key(table, i);
            seen[i] = time.lastSeen(lastSeen(table, i), state(table, i));
        }
        long[] sortedKeys = keys.clone();
        Arrays.sort(sortedKeys);
        for (int i = 1; i < n; i++) {
            if (sortedKeys[i] == sortedKeys[i - 1]) {
                throw duplicate(table, sortedKeys[i]);
            }
        }
        Survivors survivors = Survivors.of(keys, seen, maxEntries);
        for (int i = 0; i < n; i++) {
            if (survivors.keeps(keys[i], seen[i])) {
                result.put(keys[i], owner(table, i), seen[i], state(table, i));
            }
        }
        return result;
    }

    /** The capacity that inserting {@code n} entries one by one into a fresh table reaches. */
    static int initialCapacity(int n) {
        int capacity = SessionTable.INITIAL_CAPACITY;
        while ((capacity >>> 1) + (capacity >>> 2) < n && capacity < 1 << 30) {
            capacity <<= 1;
        }
        return capacity;
    }

    private IllegalArgumentException duplicate(int table, long key) {
        return invalid(what, String.format("key 0x%016x appears twice in table %d", key, table));
    }

    /**
     * Which entries of an over-full table stay: seen after {@code threshold}, or at it with a key
     * up to {@code lastKey}. Depends only on the set of entries, not on their order.
     */
    private record Survivors(long threshold, long lastKey) {
        static Survivors of(long[] keys, long[] lastSeen, int keep) {
            int n = keys.length;
            long[] sortedSeen = lastSeen.clone();
            Arrays.sort(sortedSeen);
            long threshold = sortedSeen[n - keep];
            int newer = 0;
            int ties = 0;
            for (long seen : lastSeen) {
                if (seen > threshold) {
                    newer++;
                } else if (seen == threshold) {
                    ties++;
                }
            }
            long[] tiedKeys = new long[ties];
            for (int i = 0, t = 0; i < n; i++) {
                if (lastSeen[i] == threshold) {
                    tiedKeys[t++] = keys[i];
                }
            }
            Arrays.sort(tiedKeys);
            return new Survivors(threshold, tiedKeys[keep - newer - 1]);
        }

        boolean keeps(long key, long seen) {
            return seen > threshold || (seen == threshold && key <= lastKey);
        }
    }

    // ---------------------------------------------------------------- helpers

    @Override
    public String toString() {
        return what + " version " + version + ", sender clock " + senderClock + ", " + parameters.length
                + " parameters, tables " + Arrays.toString(counts);
    }

    private static int crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static String ascii(int magic) {
        char[] text = new char[4];
        for (int i = 0; i < 4; i++) {
            int c = (magic >>> (24 - 8 * i)) & 0xFF;
            text[i] = c >= 0x20 && c < 0x7F ? (char) c : '?';
        }
        return new String(text);
    }

    private static IllegalArgumentException invalid(String what, String reason) {
        return new IllegalArgumentException(what + ": " + reason);
    }
}
