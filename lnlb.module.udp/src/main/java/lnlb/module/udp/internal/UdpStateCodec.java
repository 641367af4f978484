package lnlb.module.udp.internal;

import lnlb.core.api.table.FlowDump;
import lnlb.core.api.table.FlowTables;

/**
 * The UDP tracker's state dump: the {@link FlowDump} layout with magic {@code "LNUD"} and one flow
 * parameter, the idle timeout (ms):
 *
 * <pre>
 * version  parameters (ms)          tables
 * 1        idle                     0: flows
 * 2        idle, fragment           0: flows, 1: fragments in flight
 * </pre>
 *
 * A flow entry is (flow key, owner, last seen, 0). The receiver shifts every time by
 * {@code receiverNow - senderClock}, so ages survive the transfer, and applies its own timeouts.
 */
final class UdpStateCodec {
    static final int MAGIC = 0x4C4E_5544; // "LNUD"
    static final int VERSION_1 = FlowDump.VERSION_1;
    static final int VERSION_2 = FlowDump.VERSION_2;
    /** The version {@link UdpTracker#saveState} writes. */
    static final int VERSION = VERSION_2;

    static final int FLOWS = FlowDump.FLOWS;
    static final int FRAGMENTS = FlowDump.FRAGMENTS;

    private UdpStateCodec() {
    }

    /** Encodes {@code tables} ({@code null} = empty) in format {@code version} (tests write version 1 with it). */
    static byte[] encode(FlowTables tables, long now, long idleMillis, long fragmentMillis, int version) {
        return FlowDump.write(MAGIC, version, now, new long[] {idleMillis}, fragmentMillis, tables);
    }

    /**
     * Checks the sender's timeouts and that flows carry no state word, and builds the dump's tables
     * on this node's clock.
     *
     * @throws IllegalArgumentException saying what is wrong with the dump
     */
    static FlowTables load(FlowDump dump, long now, long idleMillis, long fragmentMillis, int maxEntries,
            int maxFragments) {
        long[] sender = dump.parameters(fragmentMillis);
        if (sender[0] <= 0 || sender[1] <= 0) {
            throw dump.invalid("the sender's timeouts are not positive: idle " + sender[0] + " ms, fragment "
                    + sender[1] + " ms");
        }
        int[] states = dump.flowStates();
        for (int i = 0; i < states.length; i++) {
            if (states[i] != 0) {
                throw dump.invalid("flow entry " + i + " has a state word: " + states[i]);
            }
        }
        long shift = now - dump.senderClock();
        return dump.tables(maxEntries, idleMillis, (seen, state) -> seen + shift, maxFragments, fragmentMillis, shift);
    }
}
