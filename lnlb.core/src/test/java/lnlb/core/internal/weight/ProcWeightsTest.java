package lnlb.core.internal.weight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcWeightsTest {
    @TempDir
    Path proc;

    @Test
    void everyModeReadsItsSource() throws IOException {
        Files.writeString(proc.resolve("loadavg"), "0.50 1.25 2.00 1/123 4567\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       1000 kB\nMemFree:   100 kB\nMemAvailable:    250 kB\n");
        ProcWeights weights = new ProcWeights(proc, WeightMode.LOADAVG, 7);
        assertEquals(51, weights.weight());
        weights.setMode(WeightMode.LOADAVG5);
        assertEquals(126, weights.weight());
        weights.setMode(WeightMode.LOADAVG15);
        assertEquals(201, weights.weight());
        weights.setMode(WeightMode.FREEMEM);
        assertEquals(750, weights.weight());
        weights.setMode(WeightMode.MANUAL);
        assertEquals(7, weights.weight());
        weights.setManual(42);
        assertEquals(42, weights.weight());
    }

    @Test
    void aBrokenSourceKeepsTheLastWeightAndBadInputIsRefused() throws IOException {
        Files.writeString(proc.resolve("loadavg"), "0.09 0 0\n");
        ProcWeights weights = new ProcWeights(proc, WeightMode.LOADAVG, 1);
        assertEquals(10, weights.weight());
        Files.writeString(proc.resolve("loadavg"), "garbage\n");
        assertEquals(10, weights.weight());
        assertThrows(IllegalArgumentException.class, () -> weights.setManual(0));
        assertThrows(IllegalArgumentException.class, () -> WeightMode.parse("heavy"));
        assertEquals(WeightMode.LOADAVG15, WeightMode.parse(" LoadAvg15 "));
    }
}
