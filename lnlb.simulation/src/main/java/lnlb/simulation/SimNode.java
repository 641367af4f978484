package lnlb.simulation;

import java.io.IOException;
import java.io.UncheckedIOException;
import lnlb.core.api.ProtocolModule;
import lnlb.core.internal.engine.ClusterConfig;
import lnlb.core.internal.engine.ClusterEngine;
import lnlb.core.internal.loop.VirtualTime;
import lnlb.core.internal.memory.MemoryHub;
import lnlb.core.internal.memory.MemoryLink;
import lnlb.module.dflt.internal.DefaultTracker;

/** One simulated node of one cluster: a hub port, a virtual-time loop, the engine and a default tracker. */
public final class SimNode {
    private final MemoryLink link;
    private final ClusterEngine engine;
    private final DefaultTracker tracker;
    private volatile int weight;
    private boolean running;

    SimNode(MemoryHub hub, VirtualTime time, ClusterConfig config, long mac, int weight, DefaultTracker tracker) {
        this.weight = weight;
        this.link = hub.attach(mac, config.name(), 1500);
        this.engine = new ClusterEngine(config, link, time.newLoop(), () -> this.weight);
        this.tracker = tracker;
        link.onReadable(this::drain);
    }

    void start(ProtocolModule... extraModules) {
        running = true;
        engine.serve(ProtocolModule.DEFAULT_HANDLER, tracker);
        engine.start();
    }

    private void drain() {
        if (!running) {
            return;
        }
        try {
            link.poll(engine, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Orderly removal: LEAVE, then gone. */
    public void leave() {
        engine.stop(true);
        running = false;
        link.close();
    }

    /** A crash: no LEAVE, nothing more is sent or received. */
    public void crash() {
        running = false;
        link.close();
        engine.stop(false);
    }

    public long mac() {
        return engine.localNode();
    }

    public ClusterEngine engine() {
        return engine;
    }

    public DefaultTracker tracker() {
        return tracker;
    }

    public MemoryLink link() {
        return link;
    }

    public boolean running() {
        return running;
    }

    public void setWeight(int weight) {
        this.weight = weight;
    }

    public int weight() {
        return weight;
    }
}
