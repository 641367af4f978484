package lnlb.core.api.table;

import static lnlb.core.testing.Packets.trailing4;
import static lnlb.core.testing.Packets.udp4;
import static lnlb.core.testing.Packets.udpLeading4;
import static lnlb.core.testing.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.ModuleStatus.TableStatus;
import lnlb.core.api.NodeAddress;
import lnlb.core.testing.FakeCluster;
import lnlb.core.testing.Packets;
import org.junit.jupiter.api.Test;

/**
 * The skeleton shared by the TCP and UDP trackers, open box: its defaults (a flow lives while
 * datagrams come: the UDP tracker), each hook as the decisions use it, fragments, dumps and status.
 * The trackers' own tests prove their protocols on top of it.
 */
class FlowTrackerTest {
    static final long A = 0x02_00_00_00_00_0AL;
    static final long B = 0x02_00_00_00_00_0BL;
    static final long IDLE = 60_000;
    static final long FRAGMENT = 30_000;
    static final int MAGIC = 0x5445_5354; // "TEST"
    static final int CLIENT = v4(10, 0, 0, 1);

    /** The defaults only. */
    static class Plain extends FlowTracker {
        int loads;

        Plain(int maxEntries) {
            super("test tracker", "flows", IDLE, FRAGMENT, maxEntries, 16);
        }

        @Override
        protected int magic() {
            return MAGIC;
        }

        @Override
        protected long[] flowParameters() {
            return new long[] {idleMillis()};
        }

        @Override
        protected FlowTables load(FlowDump dump, long now) {
            loads++;
            long shift = now - dump.senderClock();
            return dump.tables(maxEntries(), idleMillis(), (seen, state) -> seen + shift, maxFragments(),
                    fragmentMillis(), shift);
        }
    }

    /**
     * Every hook: the state counts datagrams (from 1); its life is {@code IDLE / state}; state 0 is
     * not tracked (a first datagram whose port is 0); port 9 starts afresh after 3 datagrams; a
     * hand-over keeps the stamp.
     */
    static final class Counting extends Plain {
        Counting() {
            super(100);
        }

        @Override
        protected int initial(Datagram datagram) {
            return datagram.sourcePort() == 0 ? 0 : 1;
        }

        @Override
        protected int next(int state, Datagram datagram) {
            return state + 1;
        }

        @Override
        protected long stamp(long now, int state) {
            return now - (IDLE - IDLE / state);
        }

        @Override
        protected boolean tracks(int state) {
            return state != 0;
        }

        @Override
        protected boolean startsAfresh(int state, Datagram datagram) {
            return datagram.sourcePort() == 9 && state >= 3;
        }

        @Override
        protected void handOver(SessionTable flows, int slot, long node, long now) {
            flows.setOwner(slot, node);
        }

        int state(FakeCluster cluster, Datagram d) {
            SessionTable flows = flowTables(cluster).flows();
            int slot = flows.find(FlowKeys.flow(d));
            return slot == SessionTable.NOT_FOUND ? -1 : flows.state(slot);
        }
    }

    private final FakeCluster cluster = new FakeCluster("nlb0", 1_000_000);

    /** What the core does with a datagram: related, else assigned to {@code node}; returns the owner. */
    private static long decide(FlowTracker t, FakeCluster c, Datagram d, long node) {
        long owner = t.related(c, d);
        if (owner == NodeAddress.NONE) {
            t.assigned(c, d, node);
            return node;
        }
        return owner;
    }

    // ------------------------------------------------------------------ the defaults

    @Test
    void anUnknownFlowIsAssignedAndThenKeptUntilIdle() {
        Plain t = new Plain(100);
        t.clusterCreated(cluster);
        assertEquals(NodeAddress.NONE, t.related(cluster, udp4(CLIENT, 5000)));
        t.assigned(cluster, udp4(CLIENT, 5000), A);
        assertEquals(A, t.related(cluster, udp4(CLIENT, 5000)));
        assertEquals(NodeAddress.NONE, t.related(cluster, udp4(CLIENT, 5001)), "another port, another flow");
        cluster.now += IDLE - 1;
        assertEquals(A, t.related(cluster, udp4(CLIENT, 5000)), "a datagram refreshes the flow");
        cluster.now += IDLE;
        assertEquals(NodeAddress.NONE, t.related(cluster, udp4(CLIENT, 5000)));
        assertEquals(0, t.entries(cluster), "the idle entry is dropped");
    }

    @Test
    void anEntryIsFoundByItsKeyWithoutAScan() {
        Plain t = new Plain(100);
        t.clusterCreated(cluster);
        t.assigned(cluster, udp4(CLIENT, 5000), A);
        long key = FlowKeys.flow(udp4(CLIENT, 5000));
        long[] seen = new long[2];
        assertTrue(t.visitKey(cluster, key, (k, owner, lastSeen, state) -> {
            seen[0] = k;
            seen[1] = owner;
        }));
        assertEquals(key, seen[0]);
        assertEquals(A, seen[1]);
        assertFalse(t.visitKey(cluster, FlowKeys.flow(udp4(CLIENT, 5001)), (k, owner, lastSeen, state) -> seen[0] = -1));
        assertEquals(key, seen[0], "nothing visited for an unknown key");
        // the interface's default (a scan) finds the same entry
        SessionEntries scanning = new SessionEntries() {
            @Override
            public int keyKind() {
                return t.keyKind();
            }

            @Override
            public int visit(Cluster c, int from, int slots, SessionTable.Visitor visitor) {
                return t.visit(c, from, slots, visitor);
            }

            @Override
            public long entryIdleMillis() {
                return t.entryIdleMillis();
            }

            @Override
            public long lookup(Cluster c, Datagram datagram) {
                return t.lookup(c, datagram);
            }
        };
        long[] scanned = new long[2];
        assertTrue(scanning.visitKey(cluster, key, (k, owner, lastSeen, state) -> {
            scanned[0] = k;
            scanned[1] = owner;
        }));
        assertArrayEquals(seen, scanned);
        assertFalse(scanning.visitKey(cluster, key + 1, (k, owner, lastSeen, state) -> scanned[0] = -1));
    }

    @Test
    void theAssignmentKeyIsTheFlowKey() {
        Plain t = new Plain(100);
        Datagram d = udp4(CLIENT, 5000);
        assertEquals(FlowKeys.assignmentKey(d), t.assignmentKey(cluster, d));
    }

    @Test
    void aHandOverRefreshesByDefault() {
        Plain t = new Plain(100);
        t.clusterCreated(cluster);
        t.assigned(cluster, udp4(CLIENT, 5000), A);
        cluster.now += IDLE - 1;
        t.assigned(cluster, udp4(CLIENT, 5000), B);
        cluster.now += IDLE - 1;
        assertEquals(B, t.related(cluster, udp4(CLIENT, 5000)));
    }

    @Test
    void unknownClustersBadDatagramsAndBadNodes() {
        Plain t = new Plain(100);
        assertEquals(NodeAddress.NONE, t.related(cluster, udp4(CLIENT, 5000)));
        t.assigned(cluster, udp4(CLIENT, 5000), A); // ignored
        assertEquals(0, t.entries(cluster));
        assertEquals(List.of(), t.tableStatus(cluster));
        t.clusterCreated(cluster);
        assertEquals(NodeAddress.NONE, t.related(cluster, Packets.garbage()));
        t.assigned(cluster, Packets.noPorts4(Packets.UDP, CLIENT), A);
        assertEquals(0, t.entries(cluster), "no ports: remembered nowhere");
        assertThrows(IllegalArgumentException.class, () -> t.assigned(cluster, udp4(CLIENT, 5000), NodeAddress.NONE));
    }

    @Test
    void aDeadNodesFlowsAndFragmentsAreForgotten() {
        Plain t = new Plain(100);
        t.clusterCreated(cluster);
        t.assigned(cluster, udp4(CLIENT, 5000), A);
        t.assigned(cluster, udp4(CLIENT, 5001), B);
        t.assigned(cluster, udpLeading4(CLIENT, 5002, 77), A);
        assertEquals(1, t.fragments(cluster));
        t.nodeDied(cluster, A);
        assertEquals(1, t.entries(cluster));
        assertEquals(0, t.fragments(cluster));
        t.clusterDeleted(cluster);
        assertEquals(0, t.entries(cluster));
    }

    @Test
    void theBoundsNameTheirKeys() {
        assertMessage("max.entries", () -> new Plain(0));
        assertMessage("max.entries", () -> new Plain(FlowTracker.MAX_ENTRIES + 1));
        assertMessage("max.fragments", () -> new Plain(FlowTracker.MAX_ENTRIES));
    }

    // ------------------------------------------------------------------ the hooks

    @Test
    void assignedOpensInTheInitialStateAndRelatedMovesIt() {
        Counting t = new Counting();
        t.clusterCreated(cluster);
        t.assigned(cluster, udp4(CLIENT, 5000), A);
        assertEquals(1, t.state(cluster, udp4(CLIENT, 5000)));
        assertEquals(A, t.related(cluster, udp4(CLIENT, 5000)));
        assertEquals(2, t.state(cluster, udp4(CLIENT, 5000)));
        // state 2 lives IDLE / 2 from now
        cluster.now += IDLE / 2 - 1;
        assertEquals(A, t.related(cluster, udp4(CLIENT, 5000)));
        assertEquals(3, t.state(cluster, udp4(CLIENT, 5000)));
        cluster.now += IDLE / 3;
        assertEquals(NodeAddress.NONE, t.related(cluster, udp4(CLIENT, 5000)), "state 3 lives IDLE / 3");
    }

    @Test
    void anUntrackedStateOpensNothing() {
        Counting t = new Counting();
        t.clusterCreated(cluster);
        t.assigned(cluster, udp4(CLIENT, 0), A);
        assertEquals(0, t.entries(cluster));
    }

    @Test
    void startingAfreshReplacesTheFlow() {
        Counting t = new Counting();
        t.clusterCreated(cluster);
        assertEquals(A, decide(t, cluster, udp4(CLIENT, 9), A));
        assertEquals(A, decide(t, cluster, udp4(CLIENT, 9), B));
        assertEquals(A, decide(t, cluster, udp4(CLIENT, 9), B)); // now in state 3
        assertEquals(B, decide(t, cluster, udp4(CLIENT, 9), B), "state 3 on port 9 starts afresh");
        assertEquals(1, t.state(cluster, udp4(CLIENT, 9)));
        assertEquals(1, t.entries(cluster));
    }

    @Test
    void anOverriddenHandOverKeepsTheStamp() {
        Counting t = new Counting();
        t.clusterCreated(cluster);
        t.assigned(cluster, udp4(CLIENT, 5000), A);
        cluster.now += IDLE - 1;
        t.assigned(cluster, udp4(CLIENT, 5000), B);
        cluster.now += 1;
        assertEquals(NodeAddress.NONE, t.related(cluster, udp4(CLIENT, 5000)), "not refreshed by the hand-over");
    }

    // ------------------------------------------------------------------ fragments

    @Test
    void trailingFragmentsFollowTheLeadingOne() {
        Plain t = new Plain(100);
        t.clusterCreated(cluster);
        assertEquals(A, decide(t, cluster, udpLeading4(CLIENT, 5000, 42), A));
        assertEquals(A, decide(t, cluster, trailing4(Packets.UDP, CLIENT, 42, 1480, false), B));
        assertEquals(NodeAddress.NONE, t.related(cluster, trailing4(Packets.UDP, CLIENT, 43, 1480, false)));
    }

    @Test
    void aFlowFollowsTrailingFragmentsThatCameFirstInTheStateTheLeadingOneLeads() {
        Counting t = new Counting();
        t.clusterCreated(cluster);
        assertEquals(B, decide(t, cluster, trailing4(Packets.UDP, CLIENT, 42, 1480, false), B));
        assertEquals(B, decide(t, cluster, udpLeading4(CLIENT, 5000, 42), A));
        assertEquals(2, t.state(cluster, udpLeading4(CLIENT, 5000, 42)), "next(initial(d), d)");
    }

    // ------------------------------------------------------------------ dumps and status

    @Test
    void aDumpMovesFlowsAndFragmentsOntoAnotherClock() {
        Plain sender = new Plain(100);
        sender.clusterCreated(cluster);
        sender.assigned(cluster, udp4(CLIENT, 5000), A);
        sender.assigned(cluster, udpLeading4(CLIENT, 5001, 7), B);
        cluster.now += 1_000;
        byte[] dump = sender.saveState(cluster);
        assertEquals(FlowDump.VERSION_2, StateDump.read(dump, MAGIC, "test").version());

        FakeCluster other = new FakeCluster("nlb0", 5_000);
        Plain receiver = new Plain(100);
        receiver.loadState(other, dump);
        assertEquals(1, receiver.loads);
        assertEquals(2, receiver.entries(other));
        assertEquals(List.of(new TableStatus("flows", 2, 100, 0), new TableStatus("fragments", 1, 16, 0)),
                receiver.tableStatus(other));
        other.now += IDLE - 1_001;
        assertEquals(A, receiver.related(other, udp4(CLIENT, 5000)), "its age came along");
        other.now += 1;
        assertEquals(NodeAddress.NONE, receiver.related(other, udp4(CLIENT, 5001)));
    }

    @Test
    void versionOneDumpsLoadWithoutFragments() {
        Plain sender = new Plain(100);
        sender.clusterCreated(cluster);
        sender.assigned(cluster, udpLeading4(CLIENT, 5001, 7), B);
        FlowTables tables = sender.flowTables(cluster);
        byte[] v1 = FlowDump.write(MAGIC, FlowDump.VERSION_1, cluster.now, new long[] {IDLE}, FRAGMENT, tables);
        Plain receiver = new Plain(100);
        receiver.loadState(cluster, v1);
        assertEquals(1, receiver.entries(cluster));
        assertEquals(0, receiver.fragments(cluster));
    }

    @Test
    void badDumpsAreRejectedAndTheTablesKept() {
        Plain t = new Plain(100);
        t.clusterCreated(cluster);
        t.assigned(cluster, udp4(CLIENT, 5000), A);
        byte[] before = t.saveState(cluster);
        assertMessage("test tracker state", () -> t.loadState(cluster, null));
        assertMessage("magic", () -> t.loadState(cluster, StateDump.write(0x1234, 2, 0, new long[] {IDLE, 1})));
        assertMessage("version 3", () -> t.loadState(cluster, StateDump.write(MAGIC, 3, 0, new long[0])));
        assertMessage("carries", () -> t.loadState(cluster, StateDump.write(MAGIC, 2, 0, new long[] {IDLE})));
        assertMessage("carries", () -> t.loadState(cluster, FlowDump.write(MAGIC, 2, 0, new long[0], FRAGMENT, null)));
        SessionTable stated = new SessionTable(10, IDLE);
        stated.put(1, A, 0, 5);
        assertMessage("state word", () -> t.loadState(cluster,
                StateDump.write(MAGIC, 2, 0, new long[] {IDLE, FRAGMENT}, null, stated)));
        assertEquals(0, t.loads);
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(t.saveState(cluster)));
    }

    // ------------------------------------------------------------------ the hot path

    @Test
    void relatedAndAssignedAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Counting t = new Counting();
        t.clusterCreated(cluster);
        Datagram[] datagrams = new Datagram[64];
        for (int i = 0; i < datagrams.length; i++) {
            datagrams[i] = i % 4 == 0 ? udpLeading4(CLIENT, 6000 + i, i) : udp4(CLIENT, 6000 + i);
        }
        Runnable round = () -> {
            for (Datagram d : datagrams) {
                decide(t, cluster, d, A);
            }
        };
        for (int i = 0; i < 2_000; i++) {
            round.run(); // warm up
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000; i++) {
            round.run();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4_096, allocated + " bytes allocated by 64,000 decisions");
    }

    private static void assertMessage(String text, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(text), "message should name " + text + ": " + e.getMessage());
    }
}
