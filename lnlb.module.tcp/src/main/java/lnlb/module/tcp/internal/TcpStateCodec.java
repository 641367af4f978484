package lnlb.module.tcp.internal;

import lnlb.core.api.table.FlowDump;
import lnlb.core.api.table.FlowTables;

/**
 * The TCP tracker's state dump: the {@link FlowDump} layout with magic {@code "LNTC"} and these
 * flow parameters (ms):
 *
 * <pre>
 * version  parameters                                   tables
 * 1        idle, syn, fin, rst                          0: connections
 * 2        idle, syn, fin, rst, fragment                0: connections, 1: fragments in flight
 * </pre>
 *
 * A connection entry is (flow key, owner, last seen, {@link TcpState}); its last-seen time is the
 * sender's <em>stamp</em> ({@link TcpTimeouts#stamp}), which is why the sender's timeouts travel
 * with it: the receiver recovers the time of the last segment and stamps it again under its own
 * timeouts, shifted into its clock.
 */
final class TcpStateCodec {
    static final int MAGIC = 0x4C4E_5443; // "LNTC"
    static final int VERSION_1 = FlowDump.VERSION_1;
    static final int VERSION_2 = FlowDump.VERSION_2;
    /** The version {@link TcpTracker#saveState} writes. */
    static final int VERSION = VERSION_2;

    static final int FLOWS = FlowDump.FLOWS;
    static final int FRAGMENTS = FlowDump.FRAGMENTS;

    private TcpStateCodec() {
    }

    /** The flow parameters of a dump: idle, syn, fin, rst. */
    static long[] flowParameters(TcpTimeouts timeouts) {
        return new long[] {timeouts.idleMillis(), timeouts.synMillis(), timeouts.finMillis(), timeouts.rstMillis()};
    }

    /** Timeouts from flow parameters and fragment life. */
    static TcpTimeouts timeouts(long[] parameters) {
        return new TcpTimeouts(parameters[0], parameters[1], parameters[2], parameters[3], parameters[4]);
    }

    /** Encodes {@code tables} ({@code null} = empty) in format {@code version} (tests write version 1 with it). */
    static byte[] encode(FlowTables tables, long now, TcpTimeouts timeouts, int version) {
        return FlowDump.write(MAGIC, version, now, flowParameters(timeouts), timeouts.fragmentMillis(), tables);
    }

    /**
     * Checks the sender's timeouts and the connection states of a dump, and builds its tables on
     * this node's clock and timeouts.
     *
     * @throws IllegalArgumentException saying what is wrong with the dump
     */
    static FlowTables load(FlowDump dump, long now, TcpTimeouts local, int maxEntries, int maxFragments) {
        TcpTimeouts sender;
        try {
            sender = timeouts(dump.parameters(local.fragmentMillis()));
        } catch (IllegalArgumentException e) {
            throw dump.invalid("the sender's timeouts are out of range: " + e.getMessage());
        }
        int[] states = dump.flowStates();
        for (int i = 0; i < states.length; i++) {
            if (!TcpState.isTracked(states[i])) {
                throw dump.invalid("connection entry " + i + " has no valid state: " + states[i]);
            }
        }
        long shift = now - dump.senderClock();
        return dump.tables(maxEntries, local.idleMillis(),
                (stamp, state) -> local.stamp(sender.lastPacket(stamp, state) + shift, state),
                maxFragments, local.fragmentMillis(), shift);
    }
}
