package lnlb.module.dflt.internal;

import lnlb.core.api.table.SessionTable;
import lnlb.core.api.table.StateDump;

/**
 * The default tracker's state dump, in the {@link StateDump} framing with magic {@code "LNDF"}:
 *
 * <pre>
 * version  parameters (ms)   tables
 * 2        idle              0: clients, each (Datagram.sourceKey(), owner, last seen, 0)
 * </pre>
 *
 * Version 1, the hand-rolled layout written before this tracker moved onto {@code StateDump}, is
 * still read ({@link LegacyDump}): it carries the same fields, so it is rewritten into the framing
 * and goes the same way. Which entries of an over-full dump survive is {@link StateDump#table}'s
 * rule, the one every tracker applies. A receiver shifts every last-seen time by
 * {@code receiverNow - senderClock}, so ages survive the transfer whatever the two clocks read.
 */
final class StateCodec {
    static final int MAGIC = LegacyDump.MAGIC; // "LNDF"
    /** The hand-rolled layout, still read ({@link LegacyDump}). */
    static final int VERSION_1 = LegacyDump.VERSION;
    /** The {@link StateDump} framing. */
    static final int VERSION_2 = 2;
    /** The version {@link DefaultTracker#saveState} writes. */
    static final int VERSION = VERSION_2;
    static final int CLIENTS = 0;
    /** The most entries one dump can carry. */
    static final int MAX_ENTRIES = StateDump.MAX_ENTRIES;

    private static final String WHAT = "default tracker state";

    private StateCodec() {
    }

    /** A checked dump, ready to replace a cluster's table. */
    record Decoded(SessionTable table, int version, int entries, int dropped, long senderIdleMillis, long shiftMillis) {
    }

    /** Encodes {@code table} ({@code null} = empty). */
    static byte[] encode(SessionTable table, long now, long idleMillis) {
        return StateDump.write(MAGIC, VERSION, now, new long[] {idleMillis}, table);
    }

    /**
     * Checks a dump of either version completely and builds the table it describes, on this
     * node's clock. If it holds more than {@code maxEntries} entries, the most recently seen are
     * kept (ties: smaller keys first), so every node loading the same dump keeps the same ones.
     *
     * @throws IllegalArgumentException saying what is wrong with the dump
     */
    static Decoded decode(byte[] bytes, long now, int maxEntries, long idleMillis) {
        boolean legacy = LegacyDump.is(bytes);
        StateDump dump = StateDump.read(legacy ? LegacyDump.toStateDump(bytes, WHAT) : bytes, MAGIC, WHAT);
        int version = legacy ? VERSION_1 : dump.version();
        if (!legacy && version != VERSION_2) {
            throw invalid("format version " + version + " is not supported (this module reads versions 1 and 2)");
        }
        if (dump.parameters() != 1 || dump.tables() != 1) {
            throw invalid("version " + version + " carries 1 parameter and 1 table, this dump " + dump.parameters()
                    + " and " + dump.tables());
        }
        long senderIdle = dump.parameter(0);
        if (senderIdle <= 0) {
            throw invalid("the sender's idle timeout is not positive: " + senderIdle + " ms");
        }
        int[] states = dump.states(CLIENTS);
        for (int i = 0; i < states.length; i++) {
            if (states[i] != 0) {
                throw invalid("client entry " + i + " has a state word: " + states[i]);
            }
        }
        long shift = now - dump.senderClock();
        SessionTable table = dump.table(CLIENTS, maxEntries, idleMillis, (seen, state) -> seen + shift);
        int entries = dump.entries(CLIENTS);
        return new Decoded(table, version, entries, entries - table.size(), senderIdle, shift);
    }

    private static IllegalArgumentException invalid(String reason) {
        return new IllegalArgumentException(WHAT + ": " + reason);
    }
}
