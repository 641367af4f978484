package lnlb.tap.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import lnlb.core.api.LinkSpec;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.ClusterRunner;
import lnlb.core.api.run.ClusterView;
import lnlb.core.api.run.HostWeights;
import lnlb.core.api.run.NodeState;
import lnlb.core.api.run.RunningCluster;
import lnlb.module.dflt.internal.DefaultTracker;
import lnlb.module.tcp.internal.TcpTimeouts;
import lnlb.module.tcp.internal.TcpTracker;
import lnlb.tap.internal.LinuxLinkProvider;
import lnlb.tap.internal.TapLink;
import sun.misc.Signal;

/**
 * A minimal lnlb node without OSGi, for the lab until the runtime jar runs the Linux link: one
 * cluster run by {@link ClusterRunner} (its own loop thread) over a {@link TapLink} per VIP (as
 * {@code ClusterComponent} runs them), the default tracker ({@link DefaultTracker}) serving
 * protocol 0 in every cluster, and with {@code --tcp} the TCP tracker ({@link TcpTracker}, per
 * connection, default timeouts) on protocol 6.
 *
 * <pre>
 * java -cp ... lnlb.tap.lab.LabNode --device eth0 --vip 10.77.0.100 [--name nlb0] [--vip 10.77.0.101 ...]
 *      [--interval MS (1000)] [--tolerance N (10)] [--weight-mode manual|loadavg|... (manual)] [--weight N (1)]
 *      [--idle-seconds S (1800)] [--max-entries N (1000000)] [--key HEX_OR_BASE64 (none)] [--no-quorum]
 *      [--tcp] [--counters MS (0: only at the stop)]
 * </pre>
 * {@code --device} and {@code --name} apply to the {@code --vip} that follows them ({@code --name}
 * to that one only). The weight is manual (1) by default, so that every node of a lab weighs the
 * same and views change only when members come and go.
 *
 * <p>Standard output, one line each, for scripts to wait on:
 * <ul>
 * <li>{@code STATUS <interface> <vip> <STATE> epoch <E> members <M> [<mac>,...]} whenever a
 * cluster's state, view epoch or membership changes (STATE: JOINING, SYNCING, OBSERVER, MEMBER,
 * STOPPED);</li>
 * <li>{@code COUNTERS <interface> <vip> name=value ...} every {@code --counters} ms: the engine's
 * counters ({@code frames.in}, {@code accepted}, {@code not.mine}, ...), the link's ({@code link.received}, {@code link.receiveDropped}, ...) and
 * per tracker its entries and the live entries it evicted at its bound ({@code default.entries},
 * {@code default.evictions}, {@code tcp.entries}, {@code tcp.evictions}), and once more at the
 * stop, just before the LEAVE;</li>
 * <li>{@code CLOSED <interface> <vip> <link counters>} when a cluster has been stopped;</li>
 * <li>{@code FAILED <message>} (exit status 2) when a link cannot be opened: nothing is left configured.</li>
 * </ul>
 * On standard error, besides the log: {@code STALL <interface>: the loop has not run for N ms ...}
 * with the loop thread's stack, when a cluster's loop has not run its status task for 500 ms (a
 * watchdog thread looks twice a second), to tell engine stalls from network trouble.
 *
 * <p>SIGTERM or SIGINT: every cluster stops on its loop (LEAVE sent) first, then every loop ends and
 * every link closes (TAP removed, sysctls restored); then the JVM exits with status 0. A signal
 * handler does it, not a shutdown hook: the provider's own hook would close the links in parallel.
 */
public final class LabNode {
    private static final long STATUS_EVERY_MILLIS = 20;
    /** A loop that has not run its status task for this long is reported, with its stack, on stderr. */
    private static final long STALL_MILLIS = 500;
    private static final long STOP_WAIT_MILLIS = 5000;

    /** One cluster of this node. */
    private static final class Node {
        final TapLink link;
        final RunningCluster cluster;
        final String vip;
        final DefaultTracker tracker;
        final TcpTracker tcp;
        private String lastStatus = "";
        private volatile long lastReport = System.nanoTime();
        private Thread thread;
        private long stallReported;

        Node(TapLink link, RunningCluster cluster, String vip, DefaultTracker tracker, TcpTracker tcp) {
            this.link = link;
            this.cluster = cluster;
            this.vip = vip;
            this.tracker = tracker;
            this.tcp = tcp;
        }

        /** On the loop (or after it ended): the COUNTERS line. */
        String countersLine() {
            StringBuilder line = new StringBuilder("COUNTERS " + link.interfaceName() + " " + vip);
            cluster.counters().engine().forEach((name, value) -> line.append(' ').append(name).append('=').append(value));
            for (String pair : link.counters().split(" ")) {
                line.append(" link.").append(pair);
            }
            line.append(" default.entries=").append(tracker.entries(cluster.cluster()))
                    .append(" default.evictions=").append(tracker.evictions(cluster.cluster()));
            if (tcp != null) {
                line.append(" tcp.entries=").append(tcp.entries(cluster.cluster()))
                        .append(" tcp.evictions=").append(tcp.evictions(cluster.cluster()));
            }
            return line.toString();
        }

        /** On the loop: prints the COUNTERS line every {@code millis} until the cluster stops. */
        void reportCounters(long millis) {
            if (cluster.state() != NodeState.STOPPED) {
                println(countersLine());
                cluster.schedule(millis, () -> reportCounters(millis));
            }
        }

        /** On the loop: prints the status line when it changed, then again in a while. */
        void report() {
            thread = Thread.currentThread();
            lastReport = System.nanoTime();
            ClusterView view = cluster.view();
            StringBuilder members = new StringBuilder();
            for (int i = 0; i < view.size(); i++) {
                members.append(i == 0 ? "" : ",").append(NodeAddress.format(view.member(i)));
            }
            String status = "STATUS " + link.interfaceName() + " " + vip + " " + cluster.state() + " epoch "
                    + view.epoch() + " members " + view.size() + " " + members;
            if (!status.equals(lastStatus)) {
                lastStatus = status;
                println(status);
            }
            if (cluster.state() != NodeState.STOPPED) {
                cluster.schedule(STATUS_EVERY_MILLIS, this::report);
            }
        }

        /** The watchdog's thread: prints where the loop is when it has not reported for STALL_MILLIS. */
        void watch() {
            long silent = (System.nanoTime() - lastReport) / 1_000_000;
            Thread loopThread = thread;
            if (silent < STALL_MILLIS || loopThread == null || cluster.state() == NodeState.STOPPED) {
                stallReported = 0;
                return;
            }
            if (silent - stallReported < STALL_MILLIS) {
                return;
            }
            stallReported = silent;
            StringBuilder text = new StringBuilder("STALL " + link.interfaceName() + ": the loop has not run for "
                    + silent + " ms; it is " + loopThread.getState() + " in");
            for (StackTraceElement frame : loopThread.getStackTrace()) {
                text.append("\n    at ").append(frame);
            }
            System.err.println(text);
        }

        /** Any thread but the loop's: stops the engine on its loop (LEAVE sent); completes when done. */
        CompletableFuture<Void> leave() {
            CompletableFuture<Void> stopped = new CompletableFuture<>();
            cluster.execute(() -> {
                try {
                    println(countersLine());       // before the stop, which drops the tracker tables
                    cluster.leave();
                    report();
                } finally {
                    stopped.complete(null);
                }
            });
            return stopped;
        }

        /** After {@link #leave}: ends the loop and closes the link (TAP removed, sysctls restored). */
        void close(CompletableFuture<Void> left) {
            try {
                left.get(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                System.err.println(link.interfaceName() + ": orderly stop failed: " + e);
            }
            try {
                cluster.close(); // the loop ends, the link closes
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            println("CLOSED " + link.interfaceName() + " " + vip + " " + link.counters());
        }

        void stop() {
            close(leave());
        }
    }

    private record Spec(String device, String name, InetAddress vip) {
    }

    private LabNode() {
    }

    public static void main(String[] args) throws Exception {
        // slf4j-simple on the lab's class path: time-stamped lines (before the first logger exists)
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        List<Spec> specs = new ArrayList<>();
        String device = "eth0";
        String name = null;
        long interval = ClusterConfig.DEFAULT_INTERVAL_MILLIS;
        int tolerance = ClusterConfig.DEFAULT_TOLERANCE;
        String mode = "manual";
        int weight = 1;
        long idleSeconds = 1800;
        int maxEntries = 1_000_000;
        String key = null;
        boolean tcp = false;
        boolean quorum = true;
        long countersMillis = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--tcp")) {
                    tcp = true;
                    continue;
                }
                if (args[i].equals("--quorum") || args[i].equals("--no-quorum")) {
                    quorum = args[i].equals("--quorum");
                    continue;
                }
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i++]) {
                    case "--device" -> device = value;
                    case "--name" -> name = value;
                    case "--vip" -> {
                        specs.add(new Spec(device, name, InetAddress.getByName(value)));
                        name = null;
                    }
                    case "--interval" -> interval = Long.parseLong(value);
                    case "--tolerance" -> tolerance = Integer.parseInt(value);
                    case "--weight-mode" -> mode = value;
                    case "--weight" -> weight = Integer.parseInt(value);
                    case "--idle-seconds" -> idleSeconds = Long.parseLong(value);
                    case "--max-entries" -> maxEntries = Integer.parseInt(value);
                    case "--key" -> key = value;
                    case "--counters" -> countersMillis = Long.parseLong(value);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i - 1]);
                }
            }
            if (specs.isEmpty()) {
                throw new IllegalArgumentException("at least one --vip is needed");
            }
            ClusterConfig.of(null, specs.get(0).vip(), device, interval, tolerance).withKeys(key, null, 0); // validates
            new HostWeights(mode, weight); // validates
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("usage: LabNode [--device DEV] [--name NAME] --vip VIP [--vip VIP2 ...] [--interval MS]"
                    + " [--tolerance N] [--weight-mode MODE] [--weight N] [--idle-seconds S] [--max-entries N] [--key KEY] [--tcp] [--no-quorum] [--counters MS]: "
                    + e.getMessage());
            System.exit(64);
            return;
        }

        DefaultTracker tracker = new DefaultTracker(idleSeconds * 1000, maxEntries);
        TcpTracker tcpTracker = tcp ? new TcpTracker(TcpTimeouts.DEFAULTS, maxEntries, 65_536) : null;
        HostWeights weights = new HostWeights(mode, weight);
        LinuxLinkProvider provider;
        try {
            provider = new LinuxLinkProvider();
        } catch (IllegalStateException e) {
            println("FAILED " + e.getMessage());
            System.exit(2);
            return;
        }
        List<Node> nodes = new ArrayList<>();
        long finalCountersMillis = countersMillis;
        for (Spec spec : specs) {
            ClusterConfig config = ClusterConfig.of(spec.name(), spec.vip(), spec.device(), interval, tolerance)
                    .withKeys(key, null, 0).withQuorum(quorum);
            TapLink link;
            try {
                link = provider.open(new LinkSpec(spec.device(), spec.name(), spec.vip(), config.clusterMac()));
            } catch (IOException e) {
                println("FAILED " + e.getMessage());
                nodes.forEach(Node::stop);
                provider.close();
                System.exit(2);
                return;
            }
            ClusterRunner runner = ClusterRunner.of(config, link).weights(weights).module(0, tracker);
            if (tcpTracker != null) {
                runner.module(6, tcpTracker);
            }
            RunningCluster cluster = runner.build();
            Node node = new Node(link, cluster, spec.vip().getHostAddress(), tracker, tcpTracker);
            cluster.execute(() -> {
                cluster.start();
                node.report();
                if (finalCountersMillis > 0) {
                    node.reportCounters(finalCountersMillis);
                }
            });
            nodes.add(node);
        }

        Thread watchdog = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(STALL_MILLIS / 2);
                } catch (InterruptedException e) {
                    return;
                }
                nodes.forEach(Node::watch);
            }
        }, "lnlb-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        // A signal handler, not a shutdown hook: the provider's own hook would close the links in
        // parallel, before the loops sent LEAVE. After an orderly stop its hook finds nothing open.
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runnable stopAll = () -> {
            if (stopping.compareAndSet(false, true)) {
                // every cluster sends its LEAVE first, then the links close
                List<CompletableFuture<Void>> left = nodes.stream().map(Node::leave).toList();
                for (int i = 0; i < nodes.size(); i++) {
                    nodes.get(i).close(left.get(i));
                }
                provider.close();
                done.countDown();
            }
        };
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> new Thread(stopAll, "lnlb-stop").start());
        }
        done.await();
        System.out.flush();
        System.exit(0);
    }

    private static void println(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
