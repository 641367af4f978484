package lnlb.module.tcp.internal;

import lnlb.core.api.table.FragmentTable;
import lnlb.core.api.table.SessionTable;
import lnlb.core.api.table.StateDump;

/**
 * The TCP tracker's state dump, in the {@link StateDump} framing with magic {@code "LNTC"}.
 *
 * <pre>
 * version  parameters (ms)                              tables
 * 1        idle, syn, fin, rst                          0: connections
 * 2        idle, syn, fin, rst, fragment                0: connections, 1: fragments in flight
 * </pre>
 *
 * A connection entry is (flow key, owner, last seen, {@link TcpState}); its last-seen time is the
 * sender's <em>stamp</em> ({@link TcpTimeouts#stamp}), which is why the sender's timeouts travel
 * with it: the receiver recovers the time of the last segment and stamps it again under its own
 * timeouts, shifted into its clock. A fragment entry is (fragment key, owner, time remembered, 0).
 * This module writes version 2 and reads both: a version 1 dump (from a module that did not carry
 * fragments) loads its connections and starts with no fragment in flight.
 */
final class TcpStateCodec {
    static final int MAGIC = 0x4C4E_5443; // "LNTC"
    static final int VERSION_1 = 1;
    static final int VERSION_2 = 2;
    /** The version {@link TcpTracker#saveState} writes. */
    static final int VERSION = VERSION_2;

    static final int FLOWS = 0;
    static final int FRAGMENTS = 1;

    private static final String WHAT = "tcp tracker state";

    private TcpStateCodec() {
    }

    /** A checked dump, ready to replace a cluster's tables. */
    record Decoded(TcpTables tables, int version, TcpTimeouts sender, int flows, int fragments, long shiftMillis) {
        int dropped() {
            return flows - tables.flows.size() + fragments - tables.fragments.size();
        }
    }

    /** Encodes {@code tables} ({@code null} = empty) in format {@code version}. */
    static byte[] encode(TcpTables tables, long now, TcpTimeouts timeouts, int version) {
        SessionTable flows = tables == null ? null : tables.flows;
        if (version == VERSION_1) {
            long[] parameters = {timeouts.idleMillis(), timeouts.synMillis(), timeouts.finMillis(), timeouts.rstMillis()};
            return StateDump.write(MAGIC, VERSION_1, now, parameters, flows);
        }
        if (version == VERSION_2) {
            long[] parameters = {timeouts.idleMillis(), timeouts.synMillis(), timeouts.finMillis(), timeouts.rstMillis(),
                timeouts.fragmentMillis()};
            return StateDump.write(MAGIC, VERSION_2, now, parameters, flows,
                    tables == null ? null : tables.fragments.table());
        }
        throw new IllegalArgumentException("no such tcp tracker state version: " + version);
    }

    /**
     * Checks a dump completely and builds the tables it describes, on this node's clock and
     * timeouts.
     *
     * @throws IllegalArgumentException saying what is wrong with the dump
     */
    static Decoded decode(byte[] bytes, long now, TcpTimeouts local, int maxEntries, int maxFragments) {
        StateDump dump = StateDump.read(bytes, MAGIC, WHAT);
        int version = dump.version();
        int parameters;
        int tables;
        if (version == VERSION_1) {
            parameters = 4;
            tables = 1;
        } else if (version == VERSION_2) {
            parameters = 5;
            tables = 2;
        } else {
            throw invalid("format version " + version + " is not supported (this module reads versions 1 and 2)");
        }
        if (dump.parameters() != parameters || dump.tables() != tables) {
            throw invalid("version " + version + " carries " + parameters + " parameters and " + tables
                    + " tables, this dump " + dump.parameters() + " and " + dump.tables());
        }
        TcpTimeouts sender;
        try {
            sender = new TcpTimeouts(dump.parameter(0), dump.parameter(1), dump.parameter(2), dump.parameter(3),
                    version == VERSION_1 ? local.fragmentMillis() : dump.parameter(4));
        } catch (IllegalArgumentException e) {
            throw invalid("the sender's timeouts are out of range: " + e.getMessage());
        }
        int[] states = dump.states(FLOWS);
        for (int i = 0; i < states.length; i++) {
            if (!TcpState.isTracked(states[i])) {
                throw invalid("connection entry " + i + " has no valid state: " + states[i]);
            }
        }
        int[] fragmentStates = tables > FRAGMENTS ? dump.states(FRAGMENTS) : new int[0];
        for (int i = 0; i < fragmentStates.length; i++) {
            if (fragmentStates[i] != 0) {
                throw invalid("fragment entry " + i + " has a state word: " + fragmentStates[i]);
            }
        }
        long shift = now - dump.senderClock();
        SessionTable flows = dump.table(FLOWS, maxEntries, local.idleMillis(),
                (stamp, state) -> local.stamp(sender.lastPacket(stamp, state) + shift, state));
        FragmentTable fragments = tables > FRAGMENTS
                ? new FragmentTable(dump.table(FRAGMENTS, maxFragments, local.fragmentMillis(), (seen, state) -> seen + shift))
                : new FragmentTable(maxFragments, local.fragmentMillis());
        return new Decoded(new TcpTables(flows, fragments), version, sender, dump.entries(FLOWS),
                tables > FRAGMENTS ? dump.entries(FRAGMENTS) : 0, shift);
    }

    private static IllegalArgumentException invalid(String reason) {
        return new IllegalArgumentException(WHAT + ": " + reason);
    }
}
