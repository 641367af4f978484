package lnlb.core.internal.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StallMeterTest {
    @Test
    void aTimerAtLeastTheThresholdLateIsAStall() {
        StallMeter meter = new StallMeter(100);
        meter.timerRan(1_000, 1_000);
        meter.timerRan(1_000, 1_099);
        assertEquals(0, meter.stalls());
        assertEquals(99, meter.maxLateMillis());

        meter.timerRan(2_000, 2_100);
        meter.timerRan(3_000, 4_753);
        meter.timerRan(5_000, 5_250);
        assertEquals(3, meter.stalls());
        assertEquals(1_753, meter.maxLateMillis());
        assertEquals(250, meter.lastStallMillis());
    }

    @Test
    void aThresholdBelowOneMillisecondIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StallMeter(0));
    }
}
