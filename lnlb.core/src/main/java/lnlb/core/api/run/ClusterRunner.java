package lnlb.core.api.run;

import java.util.Map;
import java.util.TreeMap;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.ProtocolModule;
import lnlb.core.internal.run.Runner;

/**
 * The one way to run a cluster: a config, a link, modules per protocol, a weight source and a loop
 * (by default a thread of its own on the system clock; {@link #virtualTime} for a simulation) give
 * a {@link RunningCluster}.
 *
 * <pre>
 * RunningCluster nlb0 = ClusterRunner.of(ClusterConfig.of("nlb0", vip, "eth0"), link)
 *         .weights(new HostWeights("loadavg", 1))
 *         .module(ProtocolModule.DEFAULT_HANDLER, tracker)
 *         .start();
 * ...
 * nlb0.leave();
 * nlb0.close();
 * </pre>
 */
public final class ClusterRunner {
    private final ClusterConfig config;
    private final ClusterLink link;
    private final Map<Integer, ProtocolModule> modules = new TreeMap<>();
    private WeightSource weights = () -> 1;
    private VirtualClock clock;
    private boolean freezable;
    private String threadName;

    private ClusterRunner(ClusterConfig config, ClusterLink link) {
        if (config == null || link == null) {
            throw new IllegalArgumentException("a cluster needs a config and a link");
        }
        this.config = config;
        this.link = link;
    }

    /** A cluster of {@code config} on {@code link}; the cluster owns the link from {@link #build} on. */
    public static ClusterRunner of(ClusterConfig config, ClusterLink link) {
        return new ClusterRunner(config, link);
    }

    /** This node's weight (default: a fixed 1). */
    public ClusterRunner weights(WeightSource source) {
        this.weights = source;
        return this;
    }

    /** {@code module} serves {@code protocol} (0..255; 0 = {@link ProtocolModule#DEFAULT_HANDLER}) from the start. */
    public ClusterRunner module(int protocol, ProtocolModule module) {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol must be 0..255: " + protocol);
        }
        modules.put(protocol, module);
        return this;
    }

    /** Runs the loop in {@code clock}'s virtual time, driven by whoever runs the clock (no thread). */
    public ClusterRunner virtualTime(VirtualClock virtual) {
        this.clock = virtual;
        return this;
    }

    /** In virtual time: the cluster can be frozen and thawed ({@link RunningCluster#freeze}), as by SIGSTOP. */
    public ClusterRunner freezable() {
        this.freezable = true;
        return this;
    }

    /** The name of the loop's thread (default {@code lnlb-<interface>}). */
    public ClusterRunner threadName(String name) {
        this.threadName = name;
        return this;
    }

    /** The loop runs and the modules serve; the node has not joined yet ({@link RunningCluster#start}). */
    public RunningCluster build() {
        if (freezable && clock == null) {
            throw new IllegalStateException("only a cluster in virtual time can be frozen");
        }
        return new Runner(config, link, weights, clock == null ? null : clock.time(), freezable,
                threadName == null ? "lnlb-" + link.interfaceName() : threadName, modules);
    }

    /** {@link #build}, then {@link RunningCluster#start}. */
    public RunningCluster start() {
        RunningCluster cluster = build();
        cluster.start();
        return cluster;
    }
}
