package lnlb.core.api.table;

import java.util.Arrays;

/**
 * The state dump of a {@link FlowTracker}, in the {@link StateDump} framing under the module's
 * magic:
 *
 * <pre>
 * version  parameters                                   tables
 * 1        the module's flow parameters                 0: flows
 * 2        the module's flow parameters, fragment life  0: flows, 1: fragments in flight
 * </pre>
 *
 * A flow entry is (flow key, owner, last seen, the module's state word); a fragment entry
 * (fragment key, owner, time remembered, 0). What the flow parameters, the state words and the
 * last-seen times mean is the module's business ({@link FlowTracker#load}); this class writes and
 * checks the layout. Trackers write version 2 and read both: a version 1 dump (from a module that
 * did not carry fragments) loads its flows and starts with no fragment in flight.
 */
public final class FlowDump {
    public static final int VERSION_1 = 1;
    public static final int VERSION_2 = 2;
    /** Index of the flow table. */
    public static final int FLOWS = 0;
    /** Index of the fragment table (version 2). */
    public static final int FRAGMENTS = 1;

    private final StateDump dump;
    private final String what;
    private final int flowParameters;

    private FlowDump(StateDump dump, String what, int flowParameters) {
        this.dump = dump;
        this.what = what;
        this.flowParameters = flowParameters;
    }

    /**
     * Writes {@code tables} ({@code null} = empty) in format {@code version}.
     *
     * @throws IllegalArgumentException for a version other than 1 and 2, or as {@link StateDump#write}
     */
    public static byte[] write(int magic, int version, long senderClock, long[] flowParameters, long fragmentMillis,
            FlowTables tables) {
        SessionTable flows = tables == null ? null : tables.flows();
        if (version == VERSION_1) {
            return StateDump.write(magic, VERSION_1, senderClock, flowParameters, flows);
        }
        if (version == VERSION_2) {
            long[] parameters = Arrays.copyOf(flowParameters, flowParameters.length + 1);
            parameters[flowParameters.length] = fragmentMillis;
            return StateDump.write(magic, VERSION_2, senderClock, parameters, flows,
                    tables == null ? null : tables.fragments().table());
        }
        throw new IllegalArgumentException("no such flow tracker state version: " + version);
    }

    /**
     * Checks a dump: its framing ({@link StateDump#read}), its version (1 or 2), its parameter and
     * table counts, and that fragment entries carry no state word.
     *
     * @param flowParameters how many flow parameters the module writes
     * @throws IllegalArgumentException saying what is wrong, prefixed with {@code what}
     */
    public static FlowDump read(byte[] bytes, int magic, String what, int flowParameters) {
        StateDump dump = StateDump.read(bytes, magic, what);
        int version = dump.version();
        if (version != VERSION_1 && version != VERSION_2) {
            throw invalid(what, "format version " + version + " is not supported (this module reads versions 1 and 2)");
        }
        int parameters = version == VERSION_1 ? flowParameters : flowParameters + 1;
        int tables = version == VERSION_1 ? 1 : 2;
        if (dump.parameters() != parameters || dump.tables() != tables) {
            throw invalid(what, "version " + version + " carries " + parameters + " parameters and " + tables
                    + " tables, this dump " + dump.parameters() + " and " + dump.tables());
        }
        if (tables > FRAGMENTS) {
            int[] states = dump.states(FRAGMENTS);
            for (int i = 0; i < states.length; i++) {
                if (states[i] != 0) {
                    throw invalid(what, "fragment entry " + i + " has a state word: " + states[i]);
                }
            }
        }
        return new FlowDump(dump, what, flowParameters);
    }

    /** 1 or 2. */
    public int version() {
        return dump.version();
    }

    /** {@code Cluster.nowMillis()} on the sender when it saved. */
    public long senderClock() {
        return dump.senderClock();
    }

    /** The sender's flow parameters, then its fragment life: {@code localFragmentMillis} for version 1. */
    public long[] parameters(long localFragmentMillis) {
        long[] parameters = new long[flowParameters + 1];
        for (int i = 0; i < flowParameters; i++) {
            parameters[i] = dump.parameter(i);
        }
        parameters[flowParameters] = version() == VERSION_1 ? localFragmentMillis : dump.parameter(flowParameters);
        return parameters;
    }

    /** The flow entries' state words, in entry order (a new array). */
    public int[] flowStates() {
        return dump.states(FLOWS);
    }

    /** Flow entries in the dump. */
    public int flows() {
        return dump.entries(FLOWS);
    }

    /** Fragment entries in the dump (0 for version 1). */
    public int fragments() {
        return dump.tables() > FRAGMENTS ? dump.entries(FRAGMENTS) : 0;
    }

    /**
     * Builds the tables: flows through {@code flowTime}, fragment times shifted by
     * {@code shiftMillis}; over-full tables keep their entries as {@link StateDump#table} does.
     *
     * @throws IllegalArgumentException as {@link StateDump#table} (a key twice, a bad owner)
     */
    public FlowTables tables(int maxEntries, long idleMillis, StateDump.TimeMapper flowTime, int maxFragments,
            long fragmentMillis, long shiftMillis) {
        SessionTable flows = dump.table(FLOWS, maxEntries, idleMillis, flowTime);
        FragmentTable fragments = dump.tables() > FRAGMENTS
                ? new FragmentTable(dump.table(FRAGMENTS, maxFragments, fragmentMillis, (seen, state) -> seen + shiftMillis))
                : new FragmentTable(maxFragments, fragmentMillis);
        return new FlowTables(flows, fragments);
    }

    /** An exception for this dump, for the module's own checks. */
    public IllegalArgumentException invalid(String reason) {
        return invalid(what, reason);
    }

    private static IllegalArgumentException invalid(String what, String reason) {
        return new IllegalArgumentException(what + ": " + reason);
    }
}
