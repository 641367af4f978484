package lnlb.core.internal.engine;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import lnlb.core.internal.wire.ClusterMessage.Committed;

/**
 * The coordinator's window between sending COMMIT and hearing the first COMMITTED: the datagrams
 * the old and the new view would decide differently wait here, in order, with every later datagram
 * of the same session. The first COMMITTED names, per session, the last such datagram the other
 * nodes decided under the old view (by digest); held datagrams up to it go by the old view, the
 * rest by the new one. Owned by the cluster's loop.
 */
final class CommitWindow {
    /**
     * Where a held datagram belongs: fills {@code out} with its slot, session key and digest, or
     * returns false if it has none.
     */
    interface Sessions {
        boolean session(ByteBuffer buffer, int offset, int length, long[] out);
    }

    /** Decides one held datagram, under the old view or the new one. */
    interface Decision {
        void decide(ByteBuffer buffer, int offset, int length, boolean underOld);
    }

    private final FrameQueue held;
    /** Sessions with a datagram in {@link #held} (the digest slot is unused: 1 = present). */
    private final AmbiguityLog heldSessions;
    private View old;
    private long deadline;

    CommitWindow(int maxFrames) {
        this.held = new FrameQueue(maxFrames * 2048, maxFrames);
        this.heldSessions = new AmbiguityLog(maxFrames);
    }

    boolean isOpen() {
        return old != null;
    }

    /** The view before the commit; valid while open. */
    View old() {
        return old;
    }

    long deadline() {
        return deadline;
    }

    void open(View before, long until) {
        this.old = before;
        this.deadline = until;
    }

    /** True when a datagram of this session already waits (so this one must wait too). */
    boolean holds(int slot, long key) {
        return !held.isEmpty() && heldSessions.digest(slot, key, 0) != 0;
    }

    /** Keeps a copy; false when the queue is full (the datagram is lost, the caller counts it). */
    boolean hold(ByteBuffer buffer, int offset, int length, int headroom, int slot, long key) {
        if (!held.offer(buffer, offset, length, headroom)) {
            return false;
        }
        heldSessions.record(slot, key, 1);
        return true;
    }

    /**
     * Closes the window and decides every held datagram in order. {@code report} null (no
     * COMMITTED in time) or overflowed: all go by the new view.
     */
    void resolve(Committed report, Sessions sessions, Decision decision) {
        Map<SessionKey, Integer> lastUnderOld = report == null || report.overflow()
                ? Map.of() : lastUnderOld(report, sessions);
        old = null;
        long[] slotAndKey = new long[3];
        int[] position = {0};
        held.forEach((buffer, offset, length) -> {
            int index = position[0]++;
            boolean underOld = false;
            if (!lastUnderOld.isEmpty() && sessions.session(buffer, offset, length, slotAndKey)) {
                Integer last = lastUnderOld.get(new SessionKey((int) slotAndKey[0], slotAndKey[1]));
                underOld = last != null && index <= last;
            }
            decision.decide(buffer, offset, length, underOld);
        });
        clear();
    }

    /** Per session, the position of the last held datagram whose digest the report names. */
    private Map<SessionKey, Integer> lastUnderOld(Committed report, Sessions sessions) {
        Map<SessionKey, Long> digests = new HashMap<>();
        for (int i = 0; i < report.keys().length; i++) {
            digests.put(new SessionKey(report.slots()[i], report.keys()[i]), report.digests()[i]);
        }
        Map<SessionKey, Integer> last = new HashMap<>();
        long[] session = new long[3];
        int[] position = {0};
        held.forEach((buffer, offset, length) -> {
            int index = position[0]++;
            if (sessions.session(buffer, offset, length, session)) {
                SessionKey key = new SessionKey((int) session[0], session[1]);
                Long digest = digests.get(key);
                if (digest != null && digest == session[2]) {
                    last.put(key, index);
                }
            }
        });
        return last;
    }

    void clear() {
        old = null;
        held.clear();
        heldSessions.clear();
    }

    private record SessionKey(int slot, long key) {
    }
}
