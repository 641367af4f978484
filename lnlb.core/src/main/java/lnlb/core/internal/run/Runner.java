package lnlb.core.internal.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import lnlb.core.api.Cluster;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.FrameReceiver;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.ClusterCounters;
import lnlb.core.api.run.ClusterView;
import lnlb.core.api.run.NodeState;
import lnlb.core.api.run.RunningCluster;
import lnlb.core.api.run.WeightSource;
import lnlb.core.internal.engine.ClusterEngine;
import lnlb.core.internal.engine.PortRules;
import lnlb.core.internal.engine.View;
import lnlb.core.internal.loop.EventLoop;
import lnlb.core.internal.loop.StallMeter;
import lnlb.core.internal.loop.ThreadEventLoop;
import lnlb.core.internal.loop.VirtualTime;
import lnlb.core.internal.memory.MemoryLink;

/**
 * The one wiring of link, loop and engine behind {@link lnlb.core.api.run.ClusterRunner}: on a
 * {@link ThreadEventLoop} that polls the link, or in virtual time, where an in-memory link's
 * delivery step drains it into the engine.
 */
public final class Runner implements RunningCluster {
    /** How long a caller waits for the loop: an answer, or the loop's end. */
    public static final long CALL_TIMEOUT_MILLIS = 5000;

    private final ClusterConfig config;
    private final ClusterLink link;
    private final ClusterEngine engine;
    private final EventLoop loop;
    /** The loop's thread, or null in virtual time. */
    private final ThreadEventLoop thread;
    /** In virtual time with freezing: the loop that holds tasks while frozen. */
    private final FreezableLoop freezable;
    /** Virtual time: frames are drained from the link until it closes, except while frozen. */
    private boolean closed;
    private boolean frozen;
    private View lastView;
    private ClusterView lastSnapshot = ClusterView.EMPTY;

    public Runner(ClusterConfig config, ClusterLink link, WeightSource weights, VirtualTime time, boolean freeze,
            String threadName, Map<Integer, ProtocolModule> modules) {
        this.config = config;
        this.link = link;
        if (time == null) {
            thread = new ThreadEventLoop(threadName);
            loop = thread;
            freezable = null;
        } else {
            thread = null;
            freezable = freeze ? new FreezableLoop(time.newLoop()) : null;
            loop = freeze ? freezable : time.newLoop();
        }
        engine = new ClusterEngine(config, link, loop, weights::weight);
        if (thread != null) {
            thread.start(new ThreadEventLoop.Io() {
                @Override
                public void poll(long timeoutMillis) throws IOException {
                    link.poll(engine, timeoutMillis);
                }

                @Override
                public void wakeup() {
                    link.wakeup();
                }
            });
        } else if (link instanceof MemoryLink memory) {
            memory.onReadable(this::drain);
        }
        modules.forEach(this::serve);
    }

    /** The engine, for the component and the status code inside lnlb.core. */
    public ClusterEngine engine() {
        return engine;
    }

    /** How late the loop's timers ran; in virtual time nothing runs late, so a meter that saw nothing. */
    public StallMeter stalls() {
        return thread != null ? thread.stalls() : new StallMeter(StallMeter.DEFAULT_THRESHOLD_MILLIS);
    }

    /** The loop the engine runs on. */
    public EventLoop loop() {
        return loop;
    }

    private void drain() {
        if (closed || frozen) {
            return;
        }
        try {
            link.poll(engine, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ClusterConfig config() {
        return config;
    }

    @Override
    public ClusterLink link() {
        return link;
    }

    @Override
    public Cluster cluster() {
        return engine;
    }

    @Override
    public FrameReceiver receiver() {
        return engine;
    }

    @Override
    public String interfaceName() {
        return link.interfaceName();
    }

    @Override
    public long localNode() {
        return engine.localNode();
    }

    @Override
    public ProtocolModule module(int protocol) {
        return engine.module(protocol);
    }

    @Override
    public void start() {
        onLoop(engine::start);
    }

    @Override
    public void serve(int protocol, ProtocolModule module) {
        call(() -> {
            engine.serve(protocol, module);
            return null;
        });
    }

    @Override
    public void leave() {
        call(() -> {
            engine.stop(true);
            return null;
        });
    }

    @Override
    public void close() throws IOException {
        if (thread == null) {
            // as a crash: nothing more is sent or received, then the engine stops where it stood
            closed = true;
            link.close();
            if (engine.state() != ClusterEngine.State.STOPPED) {
                engine.stop(false);
            }
            return;
        }
        if (engine.state() != ClusterEngine.State.STOPPED) {
            try {
                call(() -> {
                    engine.stop(false);
                    return null;
                });
            } catch (IllegalStateException e) {
                // the loop did not answer: it ends below all the same
            }
        }
        thread.stop(CALL_TIMEOUT_MILLIS);
        link.close();
    }

    @Override
    public void freeze() {
        if (freezable == null) {
            throw new IllegalStateException("not a freezable cluster in virtual time");
        }
        frozen = true;
        freezable.frozen = true;
    }

    @Override
    public void thaw() {
        if (freezable == null) {
            throw new IllegalStateException("not a freezable cluster in virtual time");
        }
        frozen = false;
        drain();
        freezable.thaw();
    }

    @Override
    public NodeState state() {
        return state(engine.state());
    }

    /** The API's name for an engine state. */
    public static NodeState state(ClusterEngine.State state) {
        return switch (state) {
            case JOINING -> NodeState.JOINING;
            case SYNCING -> NodeState.SYNCING;
            case OBSERVER -> NodeState.OBSERVER;
            case MEMBER -> NodeState.MEMBER;
            case STOPPED -> NodeState.STOPPED;
        };
    }

    @Override
    public ClusterView view() {
        View view = engine.view();
        synchronized (this) {
            if (view != lastView) {
                lastSnapshot = snapshot(view);
                lastView = view;
            }
            return lastSnapshot;
        }
    }

    /** The API's snapshot of an engine view. */
    public static ClusterView snapshot(View view) {
        return ClusterView.of(view);
    }

    @Override
    public long coordinator() {
        return engine.coordinator();
    }

    @Override
    public ClusterCounters counters() {
        return counters(engine);
    }

    /** A snapshot of an engine's counters. */
    public static ClusterCounters counters(ClusterEngine engine) {
        return new ClusterCounters(engine.counters().asMap(), engine.wireCounters().snapshot());
    }

    @Override
    public Map<Long, Long> peerAges() {
        return engine.peerAges();
    }

    @Override
    public long nowMillis() {
        return loop.nowMillis();
    }

    @Override
    public void drain(boolean on, boolean leave, long timeoutMillis) {
        call(() -> {
            engine.drain(on, leave, timeoutMillis);
            return null;
        });
    }

    @Override
    public boolean draining() {
        return call(engine::draining);
    }

    @Override
    public void rules(String affinity, String portRules) {
        PortRules rules = PortRules.parse(affinity, portRules);
        call(() -> {
            engine.rules(rules);
            return null;
        });
    }

    @Override
    public String ownRules() {
        return call(() -> engine.ownRules().text());
    }

    @Override
    public String refusal() {
        return call(engine::refusal);
    }

    @Override
    public long sessionsOf(long node) {
        return call(() -> engine.sessionsOf(node));
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }

    @Override
    public Timer schedule(long delayMillis, Runnable task) {
        return loop.schedule(delayMillis, task)::cancel;
    }

    /** Runs {@code task} now when on the loop (or virtual time is idle), else queues it. */
    private void onLoop(Runnable task) {
        if (loop.inLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    @Override
    public <T> T call(Supplier<T> request) {
        if (loop.inLoop()) {
            return request.get();
        }
        CompletableFuture<T> answer = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                answer.complete(request.get());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            return answer.get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(link.interfaceName() + ": the cluster loop did not answer in time");
        }
    }

    @Override
    public String toString() {
        return "cluster " + link.interfaceName() + " (" + config.vip().getHostAddress() + ")";
    }
}
