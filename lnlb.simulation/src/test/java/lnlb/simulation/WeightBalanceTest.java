package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.ClusterView;
import lnlb.core.api.run.HostWeights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 16: the load modes, on nodes whose load follows their share of new sessions. Each node's
 * demand per CPU is {@code base + 1.5 x 3 x share / capacity} (1.5 per CPU when the cluster is
 * split evenly), plus noise of +-0.15 per sample; its "kernel" averages that as Linux does (every
 * 5 s, time constant 1, 5 or 15 min), and {@link HostWeights} reads it per heartbeat on the virtual
 * clock. Shares are the cut table's, as {@code lnlbctl nodes} shows them.
 */
class WeightBalanceTest {
    private static final long INTERVAL = 1000;
    private static final long WEIGHT_CHANGE = 10_000;
    private static final double CLUSTER_LOAD = 1.5;

    private static final class Load {
        final double capacity;
        final long seconds;
        double average;

        Load(double capacity, long seconds, double start) {
            this.capacity = capacity;
            this.seconds = seconds;
            this.average = start;
        }
    }

    @ParameterizedTest(name = "{0}: equal capacity, shares converge to a third")
    @CsvSource({"loadavg, 20", "loadavg5, 60", "loadavg15, 150", "freemem, 20"})
    void equalCapacityConvergesToEqualShares(String mode, int minutes) {
        double[] share = run(mode, minutes, new double[] {1, 1, 1}, new double[] {0, 1.5, 4});
        for (double s : share) {
            assertEquals(1 / 3.0, s, 1 / 30.0, "shares " + java.util.Arrays.toString(share));
        }
    }

    @ParameterizedTest(name = "{0}: one node at double load settles lower")
    @CsvSource({"loadavg, 20", "loadavg5, 60", "loadavg15, 150", "freemem, 20"})
    void aNodeAtDoubleLoadGetsLess(String mode, int minutes) {
        double[] share = run(mode, minutes, new double[] {1, 1, 0.5}, new double[] {1.5, 1.5, 1.5});
        assertTrue(share[2] < 0.32, "shares " + java.util.Arrays.toString(share));
        assertTrue(share[0] > 0.34 && share[1] > 0.34, "shares " + java.util.Arrays.toString(share));
    }

    /**
     * Runs 3 nodes for {@code minutes}; checks over the last third that every node's share stays
     * within 5 points of its mean (settled, not swinging) and that weight-only view changes kept
     * the rate; returns the mean shares of the last third.
     */
    private static double[] run(String mode, int minutes, double[] capacity, double[] start) {
        SimulatedCluster sim = new SimulatedCluster(INTERVAL, 5, 1);
        ClusterConfig config = sim.config("nlb0", "10.0.0.10").withWeightChangeInterval(WEIGHT_CHANGE);
        long kernelSeconds = mode.equals("loadavg5") ? 300 : mode.equals("loadavg15") ? 900 : 60;
        int n = capacity.length;
        Load[] loads = new Load[n];
        long[] macs = new long[n];
        SimNode[] nodes = new SimNode[n];
        for (int i = 0; i < n; i++) {
            Load load = loads[i] = new Load(capacity[i], kernelSeconds, start[i]);
            macs[i] = 0x0200_0000_0001L + i;
            // freemem reads a used fraction: the same model, scaled into 0..1.
            double scale = mode.equals("freemem") ? 0.2 : 1;
            nodes[i] = sim.start(config, macs[i], new HostWeights(mode, 1, () -> load.average * scale, sim.time()::nowMillis));
        }
        assertTrue(sim.runUntil(() -> sim.converged(config) && nodes[0].engine().view().size() == n, 60_000));
        long weightChangesBefore = nodes[0].engine().counters().engine("view.changes.weight");
        long began = sim.time().nowMillis();
        Random noise = new Random(16);
        long total = minutes * 60L;
        double[] sum = new double[n];
        double[] min = {1, 1, 1};
        double[] max = {0, 0, 0};
        int samples = 0;
        for (long t = 5; t <= total; t += 5) {
            sim.run(5000);
            ClusterView view = nodes[0].engine().view();
            double decay = Math.exp(-5.0 / loads[0].seconds);
            for (int i = 0; i < n; i++) {
                double demand = CLUSTER_LOAD * n * view.share(macs[i]) / loads[i].capacity
                        + (noise.nextDouble() - 0.5) * 0.3;
                loads[i].average = Math.max(0, loads[i].average * decay + demand * (1 - decay));
                if (t > total * 2 / 3) {
                    double s = view.share(macs[i]);
                    sum[i] += s;
                    min[i] = Math.min(min[i], s);
                    max[i] = Math.max(max[i], s);
                }
            }
            samples += t > total * 2 / 3 ? 1 : 0;
        }
        double[] mean = new double[n];
        for (int i = 0; i < n; i++) {
            mean[i] = sum[i] / samples;
            assertTrue(max[i] - min[i] < 0.05, mode + ": node " + i + " swings between " + min[i] + " and " + max[i]);
        }
        long elapsed = sim.time().nowMillis() - began;
        long weightChanges = nodes[0].engine().counters().engine("view.changes.weight") - weightChangesBefore;
        assertTrue(weightChanges <= elapsed / WEIGHT_CHANGE + 1, weightChanges + " weight-only view changes in " + elapsed + " ms");
        System.out.printf("%s: shares %.3f %.3f %.3f (last third), %d weight-only view changes in %d min%n", mode,
                mean[0], mean[1], mean[2], weightChanges, minutes);
        return mean;
    }
}
