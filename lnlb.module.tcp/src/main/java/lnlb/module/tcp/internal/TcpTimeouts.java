package lnlb.module.tcp.internal;

/**
 * The TCP tracker's timeouts, in milliseconds, and how an entry's life follows from its state.
 *
 * <p>A {@link lnlb.core.api.table.SessionTable} has one idle timeout, {@link #idleMillis()}: an
 * entry expires when {@code now - lastSeen >= idleMillis}. To give a state a shorter life
 * {@code L}, the tracker <em>stamps</em> the entry with {@code now - (idleMillis - L)} instead of
 * {@code now} ({@link #stamp}). The table then expires it {@code L} after the segment, counts it as
 * idle when it makes room at its bound, and evicts the entry closest to expiry first, with no
 * per-state logic inside the table. {@link #lastPacket} undoes the stamp (for state dumps read
 * under other timeouts).
 *
 * @param idleMillis established connections: forgotten after this long without a segment
 * @param synMillis a SYN not followed by the client's ACK, or a flow picked up mid-stream not
 *     followed by a second segment
 * @param finMillis after each segment once the client sent FIN
 * @param rstMillis after each segment once the client sent RST
 * @param fragmentMillis how long the trailing fragments of a datagram follow its leading fragment
 */
public record TcpTimeouts(long idleMillis, long synMillis, long finMillis, long rstMillis, long fragmentMillis) {
    /**
     * The defaults. Established: 2 h 4 min, the least idle timeout RFC 5382 (REQ-5) allows a NAT,
     * so a connection kept alive by Linux's default keepalive (every 2 h) is never forgotten. SYN:
     * 30 s. FIN: 60 s, Linux's TIME_WAIT, so the last ACKs of a close still find the owner. RST:
     * 10 s. Fragments: 30 s, Linux's {@code ipfrag_time}.
     */
    public static final TcpTimeouts DEFAULTS = ofSeconds(7440, 30, 60, 10, 30);

    /**
     * @throws IllegalArgumentException naming the configuration key of a value out of range: every
     *     timeout must be positive, and the SYN, FIN and RST timeouts at most the idle timeout
     */
    public TcpTimeouts {
        positive("idle.timeout.seconds", idleMillis);
        positive("syn.timeout.seconds", synMillis);
        positive("fin.timeout.seconds", finMillis);
        positive("rst.timeout.seconds", rstMillis);
        positive("fragment.timeout.seconds", fragmentMillis);
        atMostIdle("syn.timeout.seconds", synMillis, idleMillis);
        atMostIdle("fin.timeout.seconds", finMillis, idleMillis);
        atMostIdle("rst.timeout.seconds", rstMillis, idleMillis);
    }

    /** From the configuration's seconds. */
    public static TcpTimeouts ofSeconds(long idle, long syn, long fin, long rst, long fragment) {
        return new TcpTimeouts(millis("idle.timeout.seconds", idle), millis("syn.timeout.seconds", syn),
                millis("fin.timeout.seconds", fin), millis("rst.timeout.seconds", rst),
                millis("fragment.timeout.seconds", fragment));
    }

    /** How long an entry in {@code state} lives after its last segment. */
    long life(int state) {
        switch (state) {
            case TcpState.SYN_SEEN:
            case TcpState.PICKED_UP:
                return synMillis;
            case TcpState.FIN_SEEN:
                return finMillis;
            case TcpState.RST_SEEN:
                return rstMillis;
            default:
                return idleMillis;
        }
    }

    /** The last-seen time to store for a segment at {@code now} that left the entry in {@code state}. */
    long stamp(long now, int state) {
        return now - (idleMillis - life(state));
    }

    /** The time of the segment that {@link #stamp} turned into {@code stamp}. */
    long lastPacket(long stamp, int state) {
        return stamp + (idleMillis - life(state));
    }

    private static void positive(String key, long millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException(key + " must be positive: " + millis + " ms");
        }
    }

    private static void atMostIdle(String key, long millis, long idleMillis) {
        if (millis > idleMillis) {
            throw new IllegalArgumentException(key + " must not exceed idle.timeout.seconds: " + millis + " ms > "
                    + idleMillis + " ms");
        }
    }

    private static long millis(String key, long seconds) {
        if (seconds < 1 || seconds > Long.MAX_VALUE / 1000) {
            throw new IllegalArgumentException(key + " must be 1.." + Long.MAX_VALUE / 1000 + ": " + seconds);
        }
        return seconds * 1000;
    }
}
