package lnlb.core.internal.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** What {@code nodes} calls another node: a dead node out of the view is gone, not joining. */
class PeerStateTest {
    private static final long DEAD_AFTER = 3_000;

    @Test
    void aMemberHeardLatelyIsAMemberAndOneNotHeardIsSilent() {
        assertEquals("member", ClusterStatus.peerState(true, false, 500, DEAD_AFTER));
        assertEquals("silent", ClusterStatus.peerState(true, false, 3_001, DEAD_AFTER));
        assertEquals("silent", ClusterStatus.peerState(true, false, Long.MAX_VALUE, DEAD_AFTER));
        assertEquals("draining", ClusterStatus.peerState(true, true, 500, DEAD_AFTER));
        assertEquals("silent", ClusterStatus.peerState(true, true, 3_001, DEAD_AFTER));
    }

    @Test
    void aNodeOutOfTheViewIsJoiningWhileHeardThenGoneThenUnlisted() {
        assertEquals("joining", ClusterStatus.peerState(false, false, 2_999, DEAD_AFTER));
        assertEquals("gone", ClusterStatus.peerState(false, false, 3_099, DEAD_AFTER)); // the demo's killed node
        assertEquals("gone", ClusterStatus.peerState(false, false, ClusterStatus.GONE_LISTED_MILLIS, DEAD_AFTER));
        assertNull(ClusterStatus.peerState(false, false, ClusterStatus.GONE_LISTED_MILLIS + 1, DEAD_AFTER));
    }
}
