package lnlb.module.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * What lnlb:conntrack shows of a connection: a FIN, RST or SYN stamps the entry earlier to shorten
 * its life, and the listing undoes that, so the idle time is the time since the last segment.
 */
class TcpListingTest {
    private final TcpTracker tracker = new TcpTracker(TcpTimeouts.DEFAULTS, 1_000, 100);

    @Test
    void theListingSeesTheLastSegmentWhateverTheState() {
        long now = 5_000_000;
        for (int state : new int[] {TcpState.SYN_SEEN, TcpState.PICKED_UP, TcpState.FIN_SEEN, TcpState.RST_SEEN,
                TcpState.ESTABLISHED}) {
            long stamp = TcpTimeouts.DEFAULTS.stamp(now, state);
            assertEquals(now, tracker.lastDatagramMillis(stamp, state), TcpState.name(state));
            // and the entry expires after the state's own life
            assertEquals(now + TcpTimeouts.DEFAULTS.life(state), stamp + tracker.entryIdleMillis(), TcpState.name(state));
        }
    }
}
