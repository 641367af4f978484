package lnlb.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.table.SessionEntries;
import lnlb.core.api.table.SessionTable;
import org.junit.jupiter.api.Test;

/** A drain with --leave counts the node's live sessions a slice per tick and leaves at 0 or at the deadline. */
class DrainExitTest {
    private static final long SELF = 0x0200_0000_0001L;
    private static final long OTHER = 0x0200_0000_0002L;
    private static final long IDLE = 60_000;

    /** A module that lists one session table. */
    static final class Listed implements ProtocolModule, SessionEntries {
        final SessionTable table = new SessionTable(200_000, IDLE);

        @Override public int keyKind() { return KEY_SOURCE; }
        @Override public int visit(Cluster c, int from, int slots, SessionTable.Visitor v) { return table.visit(from, slots, v); }
        @Override public long entryIdleMillis() { return IDLE; }
        @Override public long lookup(Cluster c, Datagram d) { return 0; }
        @Override public long related(Cluster c, Datagram d) { return 0; }
        @Override public void assigned(Cluster c, Datagram d, long node) { }
        @Override public void nodeDied(Cluster c, long node) { }
        @Override public void clusterCreated(Cluster c) { }
        @Override public void clusterDeleted(Cluster c) { }
        @Override public byte[] saveState(Cluster c) { return null; }
        @Override public void loadState(Cluster c, byte[] s) { }
    }

    private static int stepsUntilLeave(DrainExit exit, List<ProtocolModule> modules, long now, int max) {
        for (int i = 1; i <= max; i++) {
            if (exit.step(now, true, modules, null, SELF)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void itLeavesOnlyWhenAWholePassFindsNoLiveSessionOfItsOwn() {
        Listed m = new Listed();
        for (int i = 0; i < 100_000; i++) {
            m.table.put(i, OTHER, 1_000, 0); // others' sessions do not hold it
        }
        m.table.put(7_000_000L, SELF, 1_000, 0);
        DrainExit exit = new DrainExit();
        exit.arm(Long.MAX_VALUE);
        assertEquals(-1, stepsUntilLeave(exit, List.of(m), 2_000, 200), "one live session of its own holds it");
        assertEquals(1, exit.lastCount());
        assertFalse(exit.step(2_000, false, List.of(m), null, SELF), "not before the view carries the drain");

        m.table.put(7_000_000L, SELF, 1_000 - IDLE, 0); // that session expired
        int steps = stepsUntilLeave(exit, List.of(m), 2_000, 200);
        assertTrue(steps > 1, "the table is counted in slices, not in one turn: " + steps);
        assertEquals(0, exit.lastCount());
    }

    @Test
    void theDeadlineEndsTheWaitAndADisarmedExitNeverLeaves() {
        Listed m = new Listed();
        m.table.put(1, SELF, 1_000, 0);
        DrainExit exit = new DrainExit();
        assertFalse(exit.step(2_000, true, List.of(m), null, SELF));
        exit.arm(5_000);
        assertEquals(-1, stepsUntilLeave(exit, List.of(m), 4_999, 50));
        assertTrue(exit.step(5_000, true, List.of(m), null, SELF));
    }
}
