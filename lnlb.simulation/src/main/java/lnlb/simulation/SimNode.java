package lnlb.simulation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import lnlb.core.api.ProtocolModule;
import lnlb.core.internal.engine.ClusterConfig;
import lnlb.core.internal.engine.ClusterEngine;
import lnlb.core.internal.loop.EventLoop;
import lnlb.core.internal.loop.VirtualTime;
import lnlb.core.internal.memory.MemoryHub;
import lnlb.core.internal.memory.MemoryLink;
import lnlb.module.dflt.internal.DefaultTracker;

/** One simulated node of one cluster: a hub port, a virtual-time loop, the engine and a default tracker. */
public final class SimNode {
    private final MemoryLink link;
    private final ClusterEngine engine;
    private final DefaultTracker tracker;
    private final FreezableLoop loop;
    private volatile int weight;
    private boolean running;
    private boolean frozen;

    SimNode(MemoryHub hub, VirtualTime time, ClusterConfig config, long mac, int weight, DefaultTracker tracker) {
        this.weight = weight;
        this.link = hub.attach(mac, config.name(), 1500);
        this.loop = new FreezableLoop(time.newLoop());
        this.engine = new ClusterEngine(config, link, loop, () -> this.weight);
        this.tracker = tracker;
        link.onReadable(this::drain);
    }

    void start(ProtocolModule... extraModules) {
        running = true;
        engine.serve(ProtocolModule.DEFAULT_HANDLER, tracker);
        engine.start();
    }

    private void drain() {
        if (!running || frozen) {
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

    /**
     * SIGSTOP: the node's loop stops while time goes on; frames queue in its link and its timers
     * wait.
     */
    public void freeze() {
        frozen = true;
        loop.frozen = true;
    }

    /**
     * SIGCONT: as a real loop resumes inside its poll, the queued frames are handled first, then
     * the timers that came due while it was stopped.
     */
    public void thaw() {
        frozen = false;
        drain();
        loop.thaw();
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

    /** A virtual-time loop whose tasks wait while the node is frozen. */
    private static final class FreezableLoop implements EventLoop {
        private final EventLoop inner;
        private final List<Runnable> held = new ArrayList<>();
        boolean frozen;

        FreezableLoop(EventLoop inner) {
            this.inner = inner;
        }

        @Override
        public long nowMillis() {
            return inner.nowMillis();
        }

        @Override
        public void execute(Runnable task) {
            inner.execute(hold(task));
        }

        @Override
        public Timer schedule(long delayMillis, Runnable task) {
            return inner.schedule(delayMillis, hold(task));
        }

        @Override
        public boolean inLoop() {
            return inner.inLoop();
        }

        private Runnable hold(Runnable task) {
            return () -> {
                if (frozen) {
                    held.add(task);
                } else {
                    task.run();
                }
            };
        }

        void thaw() {
            frozen = false;
            List<Runnable> due = new ArrayList<>(held);
            held.clear();
            due.forEach(Runnable::run);
        }
    }
}
