package lnlb.module.udp.internal;

import lnlb.core.api.table.FragmentTable;
import lnlb.core.api.table.SessionTable;
import lnlb.core.api.table.StateDump;

/**
 * The UDP tracker's state dump, in the {@link StateDump} framing with magic {@code "LNUD"}.
 *
 * <pre>
 * version  parameters (ms)          tables
 * 1        idle                     0: flows
 * 2        idle, fragment           0: flows, 1: fragments in flight
 * </pre>
 *
 * A flow entry is (flow key, owner, last seen, 0), a fragment entry (fragment key, owner, time
 * remembered, 0). The receiver shifts every time by {@code receiverNow - senderClock}, so ages
 * survive the transfer, and applies its own timeouts. This module writes version 2 and reads both:
 * a version 1 dump (from a module that did not carry fragments) loads its flows and starts with no
 * fragment in flight.
 */
final class UdpStateCodec {
    static final int MAGIC = 0x4C4E_5544; // "LNUD"
    static final int VERSION_1 = 1;
    static final int VERSION_2 = 2;
    /** The version {@link UdpTracker#saveState} writes. */
    static final int VERSION = VERSION_2;

    static final int FLOWS = 0;
    static final int FRAGMENTS = 1;

    private static final String WHAT = "udp tracker state";

    private UdpStateCodec() {
    }

    /** A checked dump, ready to replace a cluster's tables. */
    record Decoded(UdpTables tables, int version, long senderIdleMillis, long senderFragmentMillis, int flows,
            int fragments, long shiftMillis) {
        int dropped() {
            return flows - tables.flows.size() + fragments - tables.fragments.size();
        }
    }

    /** Encodes {@code tables} ({@code null} = empty) in format {@code version}. */
    static byte[] encode(UdpTables tables, long now, long idleMillis, long fragmentMillis, int version) {
        SessionTable flows = tables == null ? null : tables.flows;
        if (version == VERSION_1) {
            return StateDump.write(MAGIC, VERSION_1, now, new long[] {idleMillis}, flows);
        }
        if (version == VERSION_2) {
            return StateDump.write(MAGIC, VERSION_2, now, new long[] {idleMillis, fragmentMillis}, flows,
                    tables == null ? null : tables.fragments.table());
        }
        throw new IllegalArgumentException("no such udp tracker state version: " + version);
    }

    /**
     * Checks a dump completely and builds the tables it describes, on this node's clock.
     *
     * @throws IllegalArgumentException saying what is wrong with the dump
     */
    static Decoded decode(byte[] bytes, long now, long idleMillis, long fragmentMillis, int maxEntries,
            int maxFragments) {
        StateDump dump = StateDump.read(bytes, MAGIC, WHAT);
        int version = dump.version();
        int tables;
        if (version == VERSION_1) {
            tables = 1;
        } else if (version == VERSION_2) {
            tables = 2;
        } else {
            throw invalid("format version " + version + " is not supported (this module reads versions 1 and 2)");
        }
        if (dump.parameters() != tables || dump.tables() != tables) {
            throw invalid("version " + version + " carries " + tables + " parameters and " + tables
                    + " tables, this dump " + dump.parameters() + " and " + dump.tables());
        }
        long senderIdle = dump.parameter(0);
        long senderFragment = version == VERSION_1 ? fragmentMillis : dump.parameter(1);
        if (senderIdle <= 0 || senderFragment <= 0) {
            throw invalid("the sender's timeouts are not positive: idle " + senderIdle + " ms, fragment "
                    + senderFragment + " ms");
        }
        for (int t = 0; t < tables; t++) {
            int[] states = dump.states(t);
            for (int i = 0; i < states.length; i++) {
                if (states[i] != 0) {
                    throw invalid("entry " + i + " of table " + t + " has a state word: " + states[i]);
                }
            }
        }
        long shift = now - dump.senderClock();
        StateDump.TimeMapper shifted = (seen, state) -> seen + shift;
        SessionTable flows = dump.table(FLOWS, maxEntries, idleMillis, shifted);
        FragmentTable fragments = tables > FRAGMENTS
                ? new FragmentTable(dump.table(FRAGMENTS, maxFragments, fragmentMillis, shifted))
                : new FragmentTable(maxFragments, fragmentMillis);
        return new Decoded(new UdpTables(flows, fragments), version, senderIdle, senderFragment,
                dump.entries(FLOWS), tables > FRAGMENTS ? dump.entries(FRAGMENTS) : 0, shift);
    }

    private static IllegalArgumentException invalid(String reason) {
        return new IllegalArgumentException(WHAT + ": " + reason);
    }
}
