package lnlb.module.tcp.internal;

import lnlb.core.api.Datagram;

/**
 * The TCP tracker's view of a connection, kept in the state word of its
 * {@link lnlb.core.api.table.SessionTable} entry. The tracker sees only the client's side
 * (replies leave the owner directly), so the states are what the client's segments show:
 *
 * <pre>
 *                 SYN            ACK
 *   (unknown) ─────────► SYN_SEEN ─────► ESTABLISHED
 *       │  any other                         ▲
 *       └──────────────► PICKED_UP ──────────┘ ACK
 *   any tracked state ── FIN ──► FIN_SEEN ── RST ──► RST_SEEN
 *   any tracked state ── RST ──► RST_SEEN
 *   FIN_SEEN, RST_SEEN ── SYN ──► (unknown again: a new owner is chosen)
 * </pre>
 *
 * Only a "pure" SYN (SYN without ACK, RST or FIN) opens a connection: SYN+ACK is the client's half
 * of a connection the server opened, and SYN+FIN or SYN+RST are not openings at all (Linux drops
 * SYN+FIN). Every transition goes to a fixed state, so applying one segment twice (the engine may
 * call {@code related} twice for a datagram it held) leaves the same state as applying it once.
 */
final class TcpState {
    /** Not worth an entry: an RST, or a header too short to show the flags. */
    static final int UNTRACKED = 0;
    /** A SYN from the client, not acknowledged yet. Life: {@code syn.timeout}. */
    static final int SYN_SEEN = 1;
    /** The client acknowledged: the handshake completed. Life: {@code idle.timeout}. */
    static final int ESTABLISHED = 2;
    /** First seen mid-stream and assigned by hash; the next ACK confirms it. Life: {@code syn.timeout}. */
    static final int PICKED_UP = 3;
    /** The client sent FIN. Life: {@code fin.timeout} after each segment. */
    static final int FIN_SEEN = 4;
    /** The client sent RST. Life: {@code rst.timeout} after each segment. */
    static final int RST_SEEN = 5;

    private static final int OPENING_FLAGS = Datagram.TCP_SYN | Datagram.TCP_ACK | Datagram.TCP_RST | Datagram.TCP_FIN;

    private TcpState() {
    }

    /** A pure SYN: the only segment that may open a connection. */
    static boolean isSyn(int flags) {
        return flags != Datagram.ABSENT && (flags & OPENING_FLAGS) == Datagram.TCP_SYN;
    }

    /** The connection is over: a SYN now opens a new one, which may get a new owner. */
    static boolean isFinished(int state) {
        return state == FIN_SEEN || state == RST_SEEN;
    }

    /** A state a tracked entry may hold (what a dump may carry). */
    static boolean isTracked(int state) {
        return state >= SYN_SEEN && state <= RST_SEEN;
    }

    /** The state of a flow first seen with this segment. */
    static int initial(int flags) {
        if (flags == Datagram.ABSENT || (flags & Datagram.TCP_RST) != 0) {
            return UNTRACKED;
        }
        if (isSyn(flags)) {
            return SYN_SEEN;
        }
        if ((flags & Datagram.TCP_FIN) != 0) {
            return FIN_SEEN;
        }
        return PICKED_UP;
    }

    /** The state of a tracked flow after this segment (UNTRACKED stays UNTRACKED). */
    static int next(int state, int flags) {
        if (flags == Datagram.ABSENT || state == UNTRACKED) {
            return state;
        }
        if ((flags & Datagram.TCP_RST) != 0) {
            return RST_SEEN;
        }
        if ((flags & Datagram.TCP_FIN) != 0) {
            return state == RST_SEEN ? RST_SEEN : FIN_SEEN;
        }
        if (isFinished(state)) {
            return state;
        }
        if ((flags & Datagram.TCP_ACK) != 0) {
            return ESTABLISHED;
        }
        return state;
    }

    static String name(int state) {
        switch (state) {
            case UNTRACKED: return "untracked";
            case SYN_SEEN: return "syn-seen";
            case ESTABLISHED: return "established";
            case PICKED_UP: return "picked-up";
            case FIN_SEEN: return "fin-seen";
            case RST_SEEN: return "rst-seen";
            default: return "unknown(" + state + ")";
        }
    }
}
