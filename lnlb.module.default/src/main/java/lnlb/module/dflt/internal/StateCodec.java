package lnlb.module.dflt.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.table.SessionTable;

/**
 * The default tracker's state dump, format version 1. Big-endian (network order) throughout:
 *
 * <pre>
 *  offset      size  field
 *  0           4     magic "LNDF" (0x4C4E4446)
 *  4           2     format version, unsigned (1)
 *  6           8     sender clock: Cluster.nowMillis() on the sender when it saved
 *  14          8     sender idle timeout, ms
 *  22          4     entry count N, unsigned
 *  26          22*N  entries, each:
 *                      +0   8  key (Datagram.sourceKey(): IPv4 unsigned, IPv6 folded)
 *                      +8   6  owner node MAC
 *                      +14  8  last seen, sender clock
 *  26 + 22*N   4     CRC-32 (IEEE 802.3, java.util.zip.CRC32) of bytes [0, 26 + 22*N)
 * </pre>
 *
 * Entries come in the sender's slot order, which carries no meaning. A receiver shifts every
 * last-seen time by {@code receiverNow - senderClock}, so ages survive the transfer whatever the
 * two clocks read.
 */
final class StateCodec {
    static final int MAGIC = 0x4C4E_4446; // "LNDF"
    static final int VERSION = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
    static final int CLOCK_OFFSET = VERSION_OFFSET + 2;
    static final int IDLE_OFFSET = CLOCK_OFFSET + 8;
    static final int COUNT_OFFSET = IDLE_OFFSET + 8;
    static final int ENTRIES_OFFSET = COUNT_OFFSET + 4;

    static final int ENTRY_KEY_OFFSET = 0;
    static final int ENTRY_OWNER_OFFSET = ENTRY_KEY_OFFSET + 8;
    static final int ENTRY_LAST_SEEN_OFFSET = ENTRY_OWNER_OFFSET + 6;
    static final int ENTRY_LENGTH = ENTRY_LAST_SEEN_OFFSET + 8;

    static final int CRC_LENGTH = 4;
    /** The length of an empty dump, the shortest there is. */
    static final int MIN_LENGTH = ENTRIES_OFFSET + CRC_LENGTH;
    /** The most entries one dump (one Java array) can carry. */
    static final int MAX_ENTRIES = (Integer.MAX_VALUE - 8 - MIN_LENGTH) / ENTRY_LENGTH;

    private StateCodec() {
    }

    /** A checked dump, ready to replace a cluster's table. */
    record Decoded(SessionTable table, int entries, int dropped, long senderIdleMillis, long shiftMillis) {
    }

    /** Encodes {@code table} ({@code null} = empty). */
    static byte[] encode(SessionTable table, long now, long idleMillis) {
        int count = table == null ? 0 : table.size();
        ByteBuffer out = ByteBuffer.allocate(MIN_LENGTH + count * ENTRY_LENGTH);
        out.putInt(MAGIC_OFFSET, MAGIC);
        out.putShort(VERSION_OFFSET, (short) VERSION);
        out.putLong(CLOCK_OFFSET, now);
        out.putLong(IDLE_OFFSET, idleMillis);
        out.putInt(COUNT_OFFSET, count);
        if (table != null) {
            int[] at = {ENTRIES_OFFSET};
            table.forEach((key, owner, lastSeen, state) -> {
                int offset = at[0];
                out.putLong(offset + ENTRY_KEY_OFFSET, key);
                NodeAddress.write(out, offset + ENTRY_OWNER_OFFSET, owner);
                out.putLong(offset + ENTRY_LAST_SEEN_OFFSET, lastSeen);
                at[0] = offset + ENTRY_LENGTH;
            });
        }
        int crcOffset = out.capacity() - CRC_LENGTH;
        out.putInt(crcOffset, crc(out.array(), crcOffset));
        return out.array();
    }

    /**
     * Checks a dump completely and builds the table it describes, on this node's clock.
     * If it holds more than {@code maxEntries} entries, the most recently seen are kept (ties:
     * smaller keys first), so every node loading the same dump keeps the same ones.
     *
     * @throws IllegalArgumentException saying what is wrong with the dump
     */
    static Decoded decode(byte[] dump, long now, int maxEntries, long idleMillis) {
        if (dump == null) {
            throw new IllegalArgumentException("default tracker state: no dump (null)");
        }
        if (dump.length < MIN_LENGTH) {
            throw invalid("truncated: " + dump.length + " bytes, the shortest dump has " + MIN_LENGTH);
        }
        ByteBuffer in = ByteBuffer.wrap(dump);
        int magic = in.getInt(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw invalid(String.format("not a default tracker dump: magic 0x%08x, expected 0x%08x (\"LNDF\")", magic, MAGIC));
        }
        int version = in.getShort(VERSION_OFFSET) & 0xFFFF;
        if (version != VERSION) {
            throw invalid("format version " + version + " is not supported (this module reads version " + VERSION + ")");
        }
        long count = in.getInt(COUNT_OFFSET) & 0xFFFF_FFFFL;
        long expected = MIN_LENGTH + count * ENTRY_LENGTH;
        if (expected != dump.length) {
            throw invalid("announces " + count + " entries, which take " + expected + " bytes, but the dump has "
                    + dump.length + " (truncated or lying count)");
        }
        int crcOffset = dump.length - CRC_LENGTH;
        int stored = in.getInt(crcOffset);
        int computed = crc(dump, crcOffset);
        if (stored != computed) {
            throw invalid(String.format("CRC mismatch: stored 0x%08x, computed 0x%08x (corrupt dump)", stored, computed));
        }
        long senderNow = in.getLong(CLOCK_OFFSET);
        long senderIdle = in.getLong(IDLE_OFFSET);
        if (senderIdle <= 0) {
            throw invalid("the sender's idle timeout is not positive: " + senderIdle + " ms");
        }
        int n = (int) count;
        long[] keys = new long[n];
        long[] owners = new long[n];
        long[] lastSeen = new long[n];
        for (int i = 0, offset = ENTRIES_OFFSET; i < n; i++, offset += ENTRY_LENGTH) {
            keys[i] = in.getLong(offset + ENTRY_KEY_OFFSET);
            // Six bytes always make a valid node address: NONE and other out-of-range values
            // cannot be encoded, so there is nothing more to check on the owner.
            owners[i] = NodeAddress.read(in, offset + ENTRY_OWNER_OFFSET);
            lastSeen[i] = in.getLong(offset + ENTRY_LAST_SEEN_OFFSET);
        }
        long[] sortedKeys = keys.clone();
        Arrays.sort(sortedKeys);
        for (int i = 1; i < n; i++) {
            if (sortedKeys[i] == sortedKeys[i - 1]) {
                throw invalid("key " + sortedKeys[i] + " appears twice");
            }
        }
        long shift = now - senderNow;
        SessionTable table = new SessionTable(maxEntries, idleMillis);
        Survivors survivors = Survivors.of(keys, lastSeen, maxEntries);
        for (int i = 0; i < n; i++) {
            if (survivors.keeps(keys[i], lastSeen[i])) {
                table.put(keys[i], owners[i], lastSeen[i] + shift, 0);
            }
        }
        return new Decoded(table, n, n - table.size(), senderIdle, shift);
    }

    /**
     * Which entries of an over-full dump stay: last seen after {@code threshold}, or at it with a
     * key up to {@code lastKey}. Depends only on the set of entries, not on their order.
     */
    private record Survivors(long threshold, long lastKey) {
        static final Survivors ALL = new Survivors(Long.MIN_VALUE, Long.MAX_VALUE);

        static Survivors of(long[] keys, long[] lastSeen, int keep) {
            int n = keys.length;
            if (n <= keep) {
                return ALL;
            }
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

    private static int crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static IllegalArgumentException invalid(String reason) {
        return new IllegalArgumentException("default tracker state: " + reason);
    }
}
