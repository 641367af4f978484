package lnlb.core.api.run;

import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;
import lnlb.core.api.Cluster;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.FrameReceiver;
import lnlb.core.api.ProtocolModule;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One node of one cluster, running: its link, its event loop and its engine, made by
 * {@link ClusterRunner}. Everything the engine does happens on the loop, one thing at a time.
 *
 * <p>Threads: {@link #start}, {@link #serve}, {@link #leave}, {@link #close}, {@link #call},
 * {@link #execute} and {@link #schedule} may be called from any thread (they run on the loop, and
 * wait for it when they must). The status methods ({@link #state}, {@link #view},
 * {@link #counters}, ...) read the engine directly: exact on the loop (inside {@link #call}) or
 * while a virtual clock is not running; from another thread, a recent value. In virtual time the
 * calling thread drives the loop: nothing runs until the {@link VirtualClock} runs.
 */
@ProviderType
public interface RunningCluster extends ClusterInfo {
    ClusterConfig config();

    /** The link, owned by this cluster from {@link ClusterRunner#build} on: {@link #close} closes it. */
    ClusterLink link();

    /** The cluster as its modules see it (what a module's table is kept for). */
    Cluster cluster();

    /** The module serving {@code protocol} (0..255) now, or null. */
    ProtocolModule module(int protocol);

    /** Starts the cluster: the node sends JOIN (on the loop; returns at once). */
    void start();

    /** Makes {@code module} serve {@code protocol} (null: none); its state moves from the one it replaces. Waits. */
    void serve(int protocol, ProtocolModule module);

    /**
     * Where frames enter the engine, as the loop hands them from the link: for benchmarks and
     * fuzzers that feed frames themselves. Only on the loop's thread (virtual time: the thread that
     * drives the clock, while it does not run).
     */
    FrameReceiver receiver();

    /** Orderly leave: LEAVE is sent and the engine stops; the loop and the link stay until {@link #close}. Waits. */
    void leave();

    /**
     * Ends the cluster: an engine still running stops without a word (as a crash), the loop ends
     * and the link closes. After {@link #leave}, the end of an orderly stop.
     */
    void close() throws IOException;

    /**
     * SIGSTOP, in virtual time: the loop stops while the clock goes on; frames queue in the link and
     * timers wait. Only for a cluster built with {@link ClusterRunner#freezable}.
     */
    void freeze();

    /** SIGCONT: the queued frames are handled first, then the timers that came due while frozen. */
    void thaw();

    /** The loop's clock, in milliseconds. */
    long nowMillis();

    /** Runs {@code task} on the loop, after what is already queued. */
    void execute(Runnable task);

    /** Runs {@code task} on the loop after {@code delayMillis}. */
    Timer schedule(long delayMillis, Runnable task);

    /**
     * Runs {@code request} on the loop and waits (bounded) for its answer.
     *
     * @throws IllegalStateException when it failed or the loop did not answer in time
     */
    <T> T call(Supplier<T> request);

    /**
     * Drain on or off: this node keeps the sessions it tracks and takes no new one; every node
     * decides so from the view that carries the drain, which the coordinator commits soon after.
     */
    default void drain(boolean on) {
        drain(on, false, 0);
    }

    /**
     * Drain, and with {@code leave} leave the cluster (LEAVE, the engine stops) once the view
     * carries the drain and this node owns no live session, or after {@code timeoutMillis} (0: no limit).
     */
    void drain(boolean on, boolean leave, long timeoutMillis);

    /** True while this node asks to drain. */
    boolean draining();

    /**
     * This node's default affinity and port rules ({@link ClusterConfig#portRules}). A coordinator
     * commits them in a view at once; the others keep the view's. Set the same on every node.
     *
     * @throws IllegalArgumentException when they do not parse (nothing changes then)
     */
    void rules(String affinity, String portRules);

    /** This node's port rules, canonical ({@code source; tcp:80:connection}). */
    String ownRules();

    /** Why the cluster does not let this node in (its port rules differ from the view's), or null. */
    String refusal();

    /** The live sessions {@code node} owns in this node's tables (a draining node waits for 0). Walks the tables. */
    long sessionsOf(long node);

    /** How long ago (ms) this node last heard from each peer it knows. */
    Map<Long, Long> peerAges();

    /** A scheduled task that can be cancelled before it runs. */
    @ProviderType
    interface Timer {
        void cancel();
    }
}
