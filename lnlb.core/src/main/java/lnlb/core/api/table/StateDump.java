package lnlb.core.api.table;

import static lnlb.core.api.table.DumpLayout.CRC_LENGTH;
import static lnlb.core.api.table.DumpLayout.ENTRY_KEY_OFFSET;
import static lnlb.core.api.table.DumpLayout.ENTRY_LAST_SEEN_OFFSET;
import static lnlb.core.api.table.DumpLayout.ENTRY_OWNER_OFFSET;
import static lnlb.core.api.table.DumpLayout.ENTRY_STATE_OFFSET;
import static lnlb.core.api.table.DumpLayout.MAX_OVERHEAD;
import static lnlb.core.api.table.DumpLayout.PARAMETERS_OFFSET;
import static lnlb.core.api.table.DumpLayout.invalid;

import java.nio.ByteBuffer;
import java.util.Arrays;
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
 *  then for each table t = 0 .. T-1, in one of two encodings:
 *    columns (written since 1.2.0: every column is one bulk copy, see "Speed"):
 *                4      tag "TC" + t as u16 (0x5443_0000 | t), so that a count that lies is caught
 *                       even when the lengths happen to add up
 *                4      N, entry count, unsigned
 *                8*N    keys
 *                8*N    owner node MACs (48-bit, in 64 bits)
 *                8*N    last seen, sender clock
 *                4*N    state words
 *    rows (written by 1.1.0, still read):
 *                4      tag "TB" + t as u16 (0x5442_0000 | t)
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
 * meaning to a reader. The table encoding is the framing's own business: {@link #read} takes both,
 * so a module reads the dumps of its older versions whichever encoding wrote them.
 *
 * <h2>Speed</h2>
 * A hot swap holds the protocol's datagrams while the old module saves and the new one loads, and
 * the new module's code has never run: it is interpreted until the JIT catches up. The column
 * encoding keeps that short for a million entries: writing and reading a column is one bulk copy
 * ({@link java.nio.LongBuffer#put(long[])}), the loops left run over plain arrays
 * ({@link #states(int)} lets a module check state words the same way), and entries in the
 * sender's slot order make the receiver's inserts sequential in a table of the same capacity.
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
 *
 * <h2>Where the code is</h2>
 * This class is the checked view of a dump and builds tables from it. The package-private helpers
 * hold the rest: the offsets, tags and CRC ({@code DumpLayout}), writing ({@code DumpWriter}),
 * checking the framing ({@code DumpParser}), and the rule of which entries of an over-full table
 * survive a load ({@code Survivors}), which every node must apply identically.
 */
public final class StateDump {
    /** Bytes per entry in the row encoding (1.1.0's). */
    public static final int ENTRY_LENGTH = 26;

    /** Bytes per entry in the column encoding, which {@link #write} uses. */
    public static final int COLUMN_ENTRY_LENGTH = 28;

    /** The most parameters a dump carries. */
    public static final int MAX_PARAMETERS = 255;

    /** The most tables a dump carries. */
    public static final int MAX_TABLES = 255;

    /** The shortest dump: no parameter, no table. */
    public static final int MIN_LENGTH = PARAMETERS_OFFSET + 1 + CRC_LENGTH;

    /** The most entries, over all tables, that one dump (one Java array) can carry. */
    public static final int MAX_ENTRIES = (Integer.MAX_VALUE - 8 - MAX_OVERHEAD) / COLUMN_ENTRY_LENGTH;

    private final String what;
    private final ByteBuffer in;
    private final int version;
    private final long senderClock;
    private final long[] parameters;
    /** Index of the first entry of each table. */
    private final int[] offsets;
    private final int[] counts;
    /** Per table: column encoding (else rows). */
    private final boolean[] columns;

    /** Made by {@link DumpParser} once the framing is known good. */
    StateDump(String what, ByteBuffer in, int version, long senderClock, long[] parameters, int[] offsets,
            int[] counts, boolean[] columns) {
        this.what = what;
        this.in = in;
        this.version = version;
        this.senderClock = senderClock;
        this.parameters = parameters;
        this.offsets = offsets;
        this.counts = counts;
        this.columns = columns;
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
        return DumpWriter.write(magic, version, senderClock, parameters, tables);
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
        return DumpParser.read(dump, magic, what);
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
        check(table, index);
        return columns[table] ? in.getLong(offsets[table] + 8 * index)
                : in.getLong(row(table, index) + ENTRY_KEY_OFFSET);
    }

    /**
     * Owner of an entry: a valid node address (the column encoding could carry anything in 64
     * bits, so this checks; six bytes of a row cannot encode {@code NONE}).
     *
     * @throws IllegalArgumentException if the owner is not a node address
     */
    public long owner(int table, int index) {
        check(table, index);
        if (!columns[table]) {
            return NodeAddress.read(in, row(table, index) + ENTRY_OWNER_OFFSET);
        }
        long owner = in.getLong(offsets[table] + 8 * (counts[table] + index));
        if (!NodeAddress.isValid(owner)) {
            throw badOwner(table, index, owner);
        }
        return owner;
    }

    /** Last-seen time of an entry, on the sender's clock. */
    public long lastSeen(int table, int index) {
        check(table, index);
        return columns[table] ? in.getLong(offsets[table] + 8 * (2 * counts[table] + index))
                : in.getLong(row(table, index) + ENTRY_LAST_SEEN_OFFSET);
    }

    /** State word of an entry. */
    public int state(int table, int index) {
        check(table, index);
        return columns[table] ? in.getInt(offsets[table] + 24 * counts[table] + 4 * index)
                : in.getInt(row(table, index) + ENTRY_STATE_OFFSET);
    }

    /**
     * Every state word of table {@code table}, in entry order (a new array): for checking them
     * all in one loop over an array rather than one {@link #state} call per entry.
     */
    public int[] states(int table) {
        int n = counts[table];
        int[] states = new int[n];
        if (columns[table]) {
            in.slice(offsets[table] + 24 * n, 4 * n).asIntBuffer().get(states);
        } else {
            for (int i = 0, at = offsets[table] + ENTRY_STATE_OFFSET; i < n; i++, at += ENTRY_LENGTH) {
                states[i] = in.getInt(at);
            }
        }
        return states;
    }

    private void check(int table, int index) {
        if (index < 0 || index >= counts[table]) {
            throw new IndexOutOfBoundsException("entry " + index + " of table " + table + " (" + counts[table] + ")");
        }
    }

    private int row(int table, int index) {
        return offsets[table] + index * ENTRY_LENGTH;
    }

    private IllegalArgumentException badOwner(int table, int index, long owner) {
        return invalid(what, String.format("entry %d of table %d: owner 0x%016x is not a node address", index, table, owner));
    }

    /**
     * Builds a new {@link SessionTable} from table {@code table}: every entry with its key, owner and
     * state, its last-seen time passed through {@code time}. If the dump holds more than
     * {@code maxEntries} entries, those with the latest mapped time are kept, ties going to the
     * smaller key ({@code Survivors}); the choice depends only on the entries, not on their order,
     * so every node loading the same dump keeps the same ones ({@code entries(table) - result.size()} were
     * dropped). The table is sized for its entries at once, which ends in the layout that
     * inserting them one by one would give.
     *
     * @throws IllegalArgumentException if a key appears twice, or for {@code maxEntries} or
     *     {@code idleMillis} out of range (as {@link SessionTable#SessionTable(int, long)})
     */
    public SessionTable table(int table, int maxEntries, long idleMillis, TimeMapper time) {
        int n = counts[table];
        SessionTable result = new SessionTable(maxEntries, idleMillis, SlotLayout.capacityFor(Math.min(n, maxEntries)));
        long[] keys = new long[n];
        long[] owners = new long[n];
        long[] seen = new long[n];
        int[] states = new int[n];
        columnsOf(table, keys, owners, seen, states);
        for (int i = 0; i < n; i++) {
            if (!NodeAddress.isValid(owners[i])) {
                throw badOwner(table, i, owners[i]);
            }
            seen[i] = time.lastSeen(seen[i], states[i]);
        }
        if (n <= maxEntries) {
            int duplicate = TableScans.addAll(result, keys, owners, seen, states, n);
            if (duplicate != SessionTable.NOT_FOUND) {
                throw duplicate(table, keys[duplicate]);
            }
            return result;
        }
        long[] sortedKeys = keys.clone();
        Arrays.sort(sortedKeys);
        for (int i = 1; i < n; i++) {
            if (sortedKeys[i] == sortedKeys[i - 1]) {
                throw duplicate(table, sortedKeys[i]);
            }
        }
        int kept = Survivors.keepNewest(keys, owners, seen, states, maxEntries);
        TableScans.addAll(result, keys, owners, seen, states, kept);
        return result;
    }

    /** Copies table {@code table}'s entries into the arrays: bulk for columns, entry by entry for rows. */
    private void columnsOf(int table, long[] keys, long[] owners, long[] seen, int[] states) {
        int n = counts[table];
        int at = offsets[table];
        if (columns[table]) {
            in.slice(at, 8 * n).asLongBuffer().get(keys);
            in.slice(at + 8 * n, 8 * n).asLongBuffer().get(owners);
            in.slice(at + 16 * n, 8 * n).asLongBuffer().get(seen);
            in.slice(at + 24 * n, 4 * n).asIntBuffer().get(states);
            return;
        }
        for (int i = 0; i < n; i++, at += ENTRY_LENGTH) {
            keys[i] = in.getLong(at + ENTRY_KEY_OFFSET);
            owners[i] = NodeAddress.read(in, at + ENTRY_OWNER_OFFSET);
            seen[i] = in.getLong(at + ENTRY_LAST_SEEN_OFFSET);
            states[i] = in.getInt(at + ENTRY_STATE_OFFSET);
        }
    }

    private IllegalArgumentException duplicate(int table, long key) {
        return invalid(what, String.format("key 0x%016x appears twice in table %d", key, table));
    }

    // ---------------------------------------------------------------- helpers

    @Override
    public String toString() {
        return what + " version " + version + ", sender clock " + senderClock + ", " + parameters.length
                + " parameters, tables " + Arrays.toString(counts);
    }
}
