package lnlb.core.internal.weight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcWeightsTest {
    @TempDir
    Path proc;
    private final AtomicLong now = new AtomicLong();

    @Test
    void everyModeReadsItsSourcePerCpu() throws IOException {
        Files.writeString(proc.resolve("loadavg"), "0.50 1.25 2.00 1/123 4567\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       1000 kB\nMemFree:   100 kB\nMemAvailable:    250 kB\n");
        ProcWeights weights = new ProcWeights(proc, 2, now::get, WeightMode.EQUAL, 7);
        assertEquals(100, weights.weight());
        weights.setMode(WeightMode.LOADAVG);
        assertEquals(125, weights.weight()); // 100 x (1 + 0.50 / 2)
        weights.setMode(WeightMode.LOADAVG5);
        assertEquals(163, weights.weight());
        weights.setMode(WeightMode.LOADAVG15);
        assertEquals(200, weights.weight());
        weights.setMode(WeightMode.FREEMEM);
        assertEquals(175, weights.weight());
        weights.setMode(WeightMode.MANUAL);
        assertEquals(7, weights.weight());
        weights.setManual(42);
        assertEquals(42, weights.weight());
        assertEquals(42, weights.current());
    }

    @Test
    void theIssuesIdleNodesGetNearlyEqualShares() throws IOException {
        // Issue 16: 0.05 and 0.30 were weights 6 and 31 (84 % / 16 %); on 2 CPUs now 102 and 115.
        Files.writeString(proc.resolve("loadavg"), "0.05 0 0\n");
        int a = new ProcWeights(proc, 2, now::get, WeightMode.LOADAVG, 1).weight();
        Files.writeString(proc.resolve("loadavg"), "0.30 0 0\n");
        int b = new ProcWeights(proc, 2, now::get, WeightMode.LOADAVG, 1).weight();
        assertEquals(102, a);
        assertEquals(115, b);
        double shareA = (1.0 / a) / (1.0 / a + 1.0 / b);
        assertEquals(0.53, shareA, 0.01);
    }

    @Test
    void aLoadStepIsSmoothedAndSmallMovesAreNotAnnounced() throws IOException {
        Path loadavg = proc.resolve("loadavg");
        Files.writeString(loadavg, "0.00 0 0\n");
        ProcWeights weights = new ProcWeights(proc, 1, now::get, WeightMode.LOADAVG, 1);
        assertEquals(100, weights.weight());
        Files.writeString(loadavg, "0.04 0 0\n");
        for (int i = 0; i < 100; i++) {
            now.addAndGet(1000);
            assertEquals(100, weights.weight(), "4 % is within the hysteresis");
        }
        Files.writeString(loadavg, "1.00 0 0\n");
        now.addAndGet(1000);
        assertTrue(weights.weight() < 110, "one second of a step moves the average by 5 % of it, not to 200");
        int steps = 0;
        int last = 100;
        for (int i = 0; i < 120; i++) {
            now.addAndGet(1000);
            int w = weights.weight();
            steps += w != last ? 1 : 0;
            last = w;
        }
        assertEquals(195, last, 5.0);
        assertEquals(true, steps <= 15, "re-announced " + steps + " times");
    }

    @Test
    void aBrokenSourceKeepsTheLastWeightAndBadInputIsRefused() throws IOException {
        Files.writeString(proc.resolve("loadavg"), "0.09 0 0\n");
        ProcWeights weights = new ProcWeights(proc, 1, now::get, WeightMode.LOADAVG, 1);
        assertEquals(109, weights.weight());
        Files.writeString(proc.resolve("loadavg"), "garbage\n");
        assertEquals(109, weights.weight());
        assertThrows(IllegalArgumentException.class, () -> weights.setManual(0));
        assertThrows(IllegalArgumentException.class, () -> WeightMode.parse("heavy"));
        assertEquals(WeightMode.LOADAVG15, WeightMode.parse(" LoadAvg15 "));
        assertEquals(WeightMode.EQUAL, WeightMode.parse("equal"));
    }

    @Test
    void aSourceFileStandsInForProc() throws IOException {
        Path file = proc.resolve("node3.load");
        Files.writeString(file, "8.00 8.00 8.00 1/1 1\n");
        ProcWeights weights = new ProcWeights(proc, 1, now::get, WeightMode.LOADAVG, 1);
        weights.setSource(file);
        int cpus = Runtime.getRuntime().availableProcessors();
        assertEquals(Math.round(100 * (1 + 8.0 / cpus)), weights.weight());
    }
}
