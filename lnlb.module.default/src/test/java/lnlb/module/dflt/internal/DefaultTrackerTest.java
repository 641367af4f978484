package lnlb.module.dflt.internal;

import static lnlb.module.dflt.internal.Packets.ipv4;
import static lnlb.module.dflt.internal.Packets.ipv6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.testing.FakeCluster;
import org.junit.jupiter.api.Test;

/** Open box: the tracker built with {@code new}, a fake cluster and hand-made packets. */
class DefaultTrackerTest {
    static final long A = 0x02_00_00_00_00_0AL;
    static final long B = 0x02_00_00_00_00_0BL;
    static final long C = 0x02_00_00_00_00_0CL;
    static final long IDLE = 60_000;

    private final FakeCluster cluster = new FakeCluster("nlb0", 1_000_000);
    private final DefaultTracker tracker = new DefaultTracker(IDLE, 1_000);

    DefaultTrackerTest() {
        tracker.clusterCreated(cluster);
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void defaultsAreTheOriginals() {
        DefaultTracker configured = new DefaultTracker(config(1800, 1_000_000));
        assertEquals(1_800_000, configured.idleMillis());
        assertEquals(1_000_000, configured.maxEntries());
    }

    @Test
    void invalidConfigurationNamesTheKey() {
        assertMessageContains("idle.timeout.seconds", () -> new DefaultTracker(config(0, 10)));
        assertMessageContains("idle.timeout.seconds", () -> new DefaultTracker(config(-1, 10)));
        assertMessageContains("idle.timeout.seconds", () -> new DefaultTracker(config(Long.MAX_VALUE, 10)));
        assertMessageContains("max.entries", () -> new DefaultTracker(config(10, 0)));
        assertMessageContains("max.entries", () -> new DefaultTracker(config(10, DefaultTracker.MAX_ENTRIES + 1)));
        assertMessageContains("idle.timeout.seconds", () -> new DefaultTracker(0, 10));
        assertMessageContains("max.entries", () -> new DefaultTracker(10, -1));
    }

    // ------------------------------------------------------------------ related / assigned

    @Test
    void unknownSourceIsUnrelated() {
        assertEquals(NodeAddress.NONE, tracker.related(cluster, ipv4(192, 168, 1, 1)));
    }

    @Test
    void assignedSourceStaysWithItsNode() {
        tracker.assigned(cluster, ipv4(192, 168, 1, 1), A);
        tracker.assigned(cluster, ipv4(192, 168, 1, 2), B);
        assertEquals(A, tracker.related(cluster, ipv4(192, 168, 1, 1)));
        assertEquals(B, tracker.related(cluster, ipv4(192, 168, 1, 2)));
        assertEquals(NodeAddress.NONE, tracker.related(cluster, ipv4(192, 168, 1, 3)));
        assertEquals(2, tracker.entries(cluster));
    }

    @Test
    void reassignmentMovesTheSource() {
        tracker.assigned(cluster, ipv4(192, 168, 1, 1), A);
        tracker.assigned(cluster, ipv4(192, 168, 1, 1), C);
        assertEquals(C, tracker.related(cluster, ipv4(192, 168, 1, 1)));
        assertEquals(1, tracker.entries(cluster));
    }

    @Test
    void ipv6SourcesAreTrackedApartFromEachOtherAndFromIpv4() {
        tracker.assigned(cluster, ipv6(1), A);
        tracker.assigned(cluster, ipv6(2), B);
        assertEquals(A, tracker.related(cluster, ipv6(1)));
        assertEquals(B, tracker.related(cluster, ipv6(2)));
        assertEquals(NodeAddress.NONE, tracker.related(cluster, ipv6(3)));
        assertEquals(NodeAddress.NONE, tracker.related(cluster, ipv4(0, 0, 0, 1)));
    }

    @Test
    void invalidDatagramsAreNeitherRelatedNorRemembered() {
        Datagram garbage = Packets.garbage();
        tracker.assigned(cluster, garbage, A);
        assertEquals(0, tracker.entries(cluster));
        assertEquals(NodeAddress.NONE, tracker.related(cluster, garbage));
    }

    @Test
    void assigningToNoNodeIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> tracker.assigned(cluster, ipv4(192, 168, 1, 1), NodeAddress.NONE));
        assertEquals(0, tracker.entries(cluster));
    }

    // ------------------------------------------------------------------ expiry

    @Test
    void idleSourceExpiresAndIsDropped() {
        tracker.assigned(cluster, ipv4(192, 168, 1, 1), A);
        cluster.now += IDLE - 1;
        assertEquals(A, tracker.related(cluster, ipv4(192, 168, 1, 1)));
        cluster.now += IDLE;
        assertEquals(NodeAddress.NONE, tracker.related(cluster, ipv4(192, 168, 1, 1)));
        assertEquals(0, tracker.entries(cluster));
    }

    @Test
    void everyRelatedDatagramRefreshesTheEntry() {
        tracker.assigned(cluster, ipv4(192, 168, 1, 1), A);
        for (int i = 0; i < 10; i++) {
            cluster.now += IDLE - 1;
            assertEquals(A, tracker.related(cluster, ipv4(192, 168, 1, 1)), "step " + i);
        }
    }

    // ------------------------------------------------------------------ nodes and clusters

    @Test
    void deadNodesSourcesAreForgotten() {
        for (int i = 0; i < 30; i++) {
            tracker.assigned(cluster, ipv4(10, 1, 0, i), i % 3 == 0 ? A : i % 3 == 1 ? B : C);
        }
        tracker.nodeDied(cluster, B);
        assertEquals(20, tracker.entries(cluster));
        for (int i = 0; i < 30; i++) {
            long expected = i % 3 == 0 ? A : i % 3 == 1 ? NodeAddress.NONE : C;
            assertEquals(expected, tracker.related(cluster, ipv4(10, 1, 0, i)), "source 10.1.0." + i);
        }
    }

    @Test
    void clustersAreIsolated() {
        FakeCluster other = new FakeCluster("nlb1", 5);
        tracker.clusterCreated(other);
        tracker.assigned(cluster, ipv4(192, 168, 1, 1), A);
        tracker.assigned(other, ipv4(192, 168, 1, 1), B);
        tracker.assigned(other, ipv4(192, 168, 1, 2), B);
        assertEquals(A, tracker.related(cluster, ipv4(192, 168, 1, 1)));
        assertEquals(B, tracker.related(other, ipv4(192, 168, 1, 1)));
        assertEquals(NodeAddress.NONE, tracker.related(cluster, ipv4(192, 168, 1, 2)));

        tracker.nodeDied(other, A); // A owns nothing there
        assertEquals(2, tracker.entries(other));
        tracker.nodeDied(cluster, A);
        assertEquals(0, tracker.entries(cluster));
        assertEquals(2, tracker.entries(other));

        tracker.clusterDeleted(other);
        assertEquals(0, tracker.entries(other));
        assertEquals(NodeAddress.NONE, tracker.related(other, ipv4(192, 168, 1, 1)));
    }

    @Test
    void unknownClusterIsIgnored() {
        FakeCluster unknown = new FakeCluster("nlb9", 0);
        tracker.assigned(unknown, ipv4(192, 168, 1, 1), A);
        tracker.nodeDied(unknown, A);
        tracker.clusterDeleted(unknown);
        assertEquals(NodeAddress.NONE, tracker.related(unknown, ipv4(192, 168, 1, 1)));
        assertEquals(0, tracker.entries(unknown));
    }

    @Test
    void createdTwiceKeepsTheTable() {
        tracker.assigned(cluster, ipv4(192, 168, 1, 1), A);
        tracker.clusterCreated(cluster);
        assertEquals(A, tracker.related(cluster, ipv4(192, 168, 1, 1)));
    }

    @Test
    void deletedClusterStartsEmptyWhenCreatedAgain() {
        tracker.assigned(cluster, ipv4(192, 168, 1, 1), A);
        tracker.clusterDeleted(cluster);
        tracker.clusterCreated(cluster);
        assertEquals(NodeAddress.NONE, tracker.related(cluster, ipv4(192, 168, 1, 1)));
    }

    // ------------------------------------------------------------------ bound

    @Test
    void maxEntriesIsHonoured() {
        DefaultTracker small = new DefaultTracker(IDLE, 3);
        small.clusterCreated(cluster);
        for (int i = 1; i <= 50; i++) {
            cluster.now++;
            small.assigned(cluster, ipv4(10, 0, 1, i), A);
            assertTrue(small.entries(cluster) <= 3);
        }
        assertEquals(3, small.entries(cluster));
        assertEquals(47, small.evictions(cluster));
        // With 3 entries the eviction window is the whole table: the newest three remain.
        for (int i = 48; i <= 50; i++) {
            assertEquals(A, small.related(cluster, ipv4(10, 0, 1, i)));
        }
    }

    @Test
    void idleSourcesMakeRoomBeforeLiveOnesAreEvicted() {
        DefaultTracker small = new DefaultTracker(IDLE, 2);
        small.clusterCreated(cluster);
        small.assigned(cluster, ipv4(10, 0, 1, 1), A);
        cluster.now += IDLE;
        small.assigned(cluster, ipv4(10, 0, 1, 2), B);
        small.assigned(cluster, ipv4(10, 0, 1, 3), C); // 10.0.1.1 is idle: it goes, nothing is evicted
        assertEquals(0, small.evictions(cluster));
        assertEquals(B, small.related(cluster, ipv4(10, 0, 1, 2)));
        assertEquals(C, small.related(cluster, ipv4(10, 0, 1, 3)));
    }

    @Test
    void servesTheDefaultProtocol() {
        assertEquals(0, ProtocolModule.DEFAULT_HANDLER);
        assertEquals("lnlb.module.default", DefaultTracker.PID);
    }

    // ------------------------------------------------------------------ helpers

    static void assertMessageContains(String text, org.junit.jupiter.api.function.Executable executable) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertTrue(e.getMessage().contains(text), "message should name " + text + ": " + e.getMessage());
    }

    static DefaultTracker.Config config(long idleSeconds, int maxEntries) {
        return new DefaultTracker.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return DefaultTracker.Config.class;
            }

            @Override
            public long idle_timeout_seconds() {
                return idleSeconds;
            }

            @Override
            public int max_entries() {
                return maxEntries;
            }
        };
    }
}
