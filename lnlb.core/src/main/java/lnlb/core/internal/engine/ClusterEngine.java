package lnlb.core.internal.engine;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import lnlb.core.api.Cluster;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.Datagram;
import lnlb.core.api.FrameReceiver;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.internal.loop.EventLoop;
import lnlb.core.internal.wire.ClusterHeader;
import lnlb.core.internal.wire.Fragmenter;
import lnlb.core.internal.wire.MessageAuthenticator;
import lnlb.core.internal.wire.Reassembler;
import lnlb.core.internal.wire.ReceivedMessage;
import lnlb.core.internal.wire.WireCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster on one node: the module-facing {@link Cluster}, the frame demux (datagrams, ARP,
 * cluster messages), the lifecycle and the status, over the parts that do the work. Every method
 * runs on the cluster's {@link EventLoop}; other threads submit their work to the loop.
 *
 * <h2>Where each rule lives</h2>
 * <ul>
 *   <li>{@link Decider}: who owns a datagram, under the view it is decided by (the hot path);</li>
 *   <li>{@link ViewChange}: PREPARE, PREPARED, COMMIT, COMMITTED and the coordinator's window;</li>
 *   <li>{@link JoinSync}: joining, state transfer, replay, and who may found a cluster;</li>
 *   <li>{@link Liveness}: heartbeats, retransmit requests, LEAVE, freeze, the majority rule;</li>
 *   <li>{@link MessageIntake}: cluster frames in; {@link Outbox}: cluster messages out;</li>
 *   <li>{@link Standing}: this node's state and view, shared by all of them; {@link Membership}:
 *   what it knows of the others.</li>
 * </ul>
 *
 * <h2>How every node decides every datagram the same way</h2>
 * A datagram no session claims is assigned by the cut table of the current {@link View}. Views
 * change only through the coordinator (the lowest live member): PREPARE, PREPARED from every
 * member, then one COMMIT frame. A switch floods that frame to every port in the order it received
 * it, so every node except its sender switches views at the same point of the frame stream: the
 * boundary is one frame, not N heartbeats as in the original, and datagrams before it are decided
 * with the old view, after it with the new one, everywhere.
 *
 * <p>The sender (the coordinator) is the exception: it switches when it sends, a frame-transit
 * before the others. During that window it holds every datagram whose owner would differ between
 * the two views. Every other node logs, from PREPARE to COMMIT, the last such datagram per session
 * key (an {@link AmbiguityLog}) and sends it back in COMMITTED; with the first COMMITTED the
 * coordinator knows, datagram by datagram, which of its held ones the others decided under the old
 * view, and decides them the same way.
 *
 * <p>A joining node records every frame from its first JOIN, receives the first node's module
 * states (taken when that node saw the JOIN), loads them and replays what it recorded; it decides
 * nothing until then and accepts nothing until a COMMIT makes it a member.
 */
public final class ClusterEngine implements Cluster, FrameReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterEngine.class);

    static final int ETHERNET_HEADER = 14;
    static final int ETHERTYPE_OFFSET = 12;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int ARP_TARGET_IP_OFFSET = ETHERNET_HEADER + 24;
    static final int ARP_LENGTH = 28;
    private static final int MAX_MESSAGE_BYTES = 64 << 20;
    private static final int AMBIGUITY_LOG_CAPACITY = 65536;

    /** Lifecycle of this node in the cluster. */
    public enum State {
        /** Sending JOIN, recording frames; decides nothing. */
        JOINING,
        /** Welcomed; waiting for the module states. */
        SYNCING,
        /** Holds the state and decides every datagram, but owns none until a view includes it. */
        OBSERVER,
        /** In the view: owns its share. */
        MEMBER,
        STOPPED
    }

    private final ClusterConfig config;
    private final ClusterLink link;
    private final EventLoop loop;
    private final long self;
    private final long clusterMac;
    private final int vipV4;
    private final EngineCounters counters = new EngineCounters();
    private final Standing standing;
    private final ModuleTable modules;
    private final Membership membership;
    private final Reassembler reassembler;
    private final Decider decider;
    private final ViewChange viewChange;
    private final Liveness liveness;
    private final JoinSync joinSync;
    private final MessageIntake intake;
    private final long tickMillis;
    /** A drain with {@code --leave}: leave once drained, at the latest at its deadline. */
    private final DrainExit drainExit = new DrainExit();
    private EventLoop.Timer tickTimer;

    public ClusterEngine(ClusterConfig config, ClusterLink link, EventLoop loop, WeightSource weights) {
        this.config = config;
        this.link = link;
        this.loop = loop;
        this.self = link.nodeAddress();
        this.clusterMac = config.clusterMac();
        byte[] vip16 = ClusterHeader.vipBytes(config.vip());
        byte[] raw = config.vip().getAddress();
        this.vipV4 = raw.length == 4 ? ByteBuffer.wrap(raw).getInt() : 0;
        // Budget: one largest message (a state transfer) + 8 MiB for the rest; quota: one largest message per sender.
        this.reassembler = new Reassembler(vip16, MAX_MESSAGE_BYTES, 64, MAX_MESSAGE_BYTES + (8L << 20),
                MAX_MESSAGE_BYTES, Math.max(1000, config.heartbeatIntervalMillis() * config.tolerance()));
        Fragmenter fragmenter = new Fragmenter(link.mtu(), MAX_MESSAGE_BYTES);
        if (config.key() != null) {
            long wall = System.currentTimeMillis();
            MessageAuthenticator authenticator = new MessageAuthenticator(MessageAuthenticator.parseKey(config.key()),
                    config.previousKey() == null ? null : MessageAuthenticator.parseKey(config.previousKey()),
                    wall + config.previousKeyMillis(), System::currentTimeMillis);
            fragmenter.setAuthenticator(authenticator);
            reassembler.setAuthenticator(authenticator);
        }
        this.standing = new Standing(self);
        standing.ownRules = PortRules.parse(config.affinity(), config.portRules());
        this.membership = new Membership(self, config.deadAfterMillis());
        this.modules = new ModuleTable(this, counters);
        EnginePart.Shared shared = new EnginePart.Shared(this, config, link, loop, standing, membership, modules, counters);
        CommitWindow window = new CommitWindow(config.holdFrames());
        AmbiguityLog ambiguities = new AmbiguityLog(AMBIGUITY_LOG_CAPACITY);
        Outbox outbox = new Outbox(shared, fragmenter, vip16, weights);
        this.decider = new Decider(shared, window, ambiguities, this::divertAfterFreeze);
        this.viewChange = new ViewChange(shared, outbox, decider, window, ambiguities);
        this.liveness = new Liveness(shared, outbox, viewChange, this::rejoin);
        this.joinSync = new JoinSync(shared, outbox, liveness, new JoinRecorder.Replay() {
            @Override
            public void frame(ByteBuffer buffer, int offset, int length) {
                if (standing.deciding()) {
                    decider.onDatagram(buffer, offset, length, standing.view);
                }
            }

            @Override
            public void message(ReceivedMessage message) {
                if (standing.state != State.STOPPED) {
                    intake.handle(message.sender(), message.message());
                }
            }
        });
        this.intake = new MessageIntake(shared, reassembler, viewChange, liveness, joinSync, this::rejoin);
        this.tickMillis = Math.max(1, config.heartbeatIntervalMillis() / 10);
    }

    // ---------------------------------------------------------------- Cluster view for modules

    @Override
    public String name() {
        return config.name() != null ? config.name() : link.interfaceName();
    }

    @Override
    public InetAddress vip() {
        return config.vip();
    }

    @Override
    public long clusterMac() {
        return clusterMac;
    }

    @Override
    public long localNode() {
        return self;
    }

    @Override
    public String device() {
        return config.device();
    }

    @Override
    public long nowMillis() {
        return loop.nowMillis();
    }

    // ---------------------------------------------------------------- lifecycle (loop thread)

    /** Starts joining: JOIN now and then, frames recorded until the state arrives. On the loop. */
    public void start() {
        joinSync.restart();
        liveness.start(loop.nowMillis());
        tickTimer = loop.schedule(0, this::tick);
        LOG.info("{}: {} starting on {} as {}", name(), config.vip().getHostAddress(), config.device(),
                NodeAddress.format(self));
        if (config.key() == null) {
            LOG.warn("{}: no cluster key: the cluster trusts every host on its LAN with its membership", name());
        }
    }

    /** Leaves the cluster (LEAVE if {@code announce}) and releases the modules' tables. On the loop. */
    public void stop(boolean announce) {
        if (standing.state == State.STOPPED) {
            return;
        }
        if (announce && standing.deciding()) {
            liveness.leave();
        }
        standing.state = State.STOPPED;
        if (tickTimer != null) {
            tickTimer.cancel();
        }
        for (ProtocolModule module : modules.distinct()) {
            modules.run(module, "clusterDeleted", () -> module.clusterDeleted(this));
        }
        LOG.info("{}: stopped", name());
    }

    /**
     * Makes {@code module} serve {@code protocol} (null: nobody), moving the state across with
     * saveState/loadState when one module replaces another. On the loop.
     */
    public void serve(int protocol, ProtocolModule module) {
        if (modules.serve(protocol, module, loop.nowMillis(), config.swapGraceMillis())) {
            decider.replayOrphans();
        }
    }

    // ---------------------------------------------------------------- status (loop thread)

    /** Who owns {@code client}'s next datagram now, and why ({@link Ownership#of}); records nothing. */
    public Ownership ownerOf(int protocol, byte[] client, int port) {
        return Ownership.of(decider, standing.view, vip(), protocol, client, port);
    }

    /**
     * Drain on or off (on the loop): a draining member keeps the sessions it tracks and takes no new
     * one. Its heartbeats say so; the coordinator's next view carries it, so every node decides alike.
     * With {@code leave}, the node leaves the cluster once the view carries its drain and it owns no
     * live session, or after {@code timeoutMillis} (0: no limit).
     */
    public void drain(boolean on, boolean leave, long timeoutMillis) {
        standing.draining = on;
        if (on && leave) {
            drainExit.arm(timeoutMillis > 0 ? loop.nowMillis() + timeoutMillis : Long.MAX_VALUE);
        } else {
            drainExit.disarm();
        }
        LOG.info("{}: {}{}", name(), on ? "draining: no new session comes here" : "drain ended: taking new sessions",
                drainExit.armed() ? ", leaving once its sessions are over" + (timeoutMillis > 0 ? " or after "
                        + timeoutMillis / 1000 + " s" : "") : "");
    }

    public void drain(boolean on) {
        drain(on, false, 0);
    }

    /** A draining node asked to leave goes once the view has its drain and its sessions are over. */
    private void leaveIfDrained(long now) {
        if (!drainExit.armed() || standing.state != State.MEMBER
                || !drainExit.step(now, standing.view.isDraining(self), modules.distinct(), this, self)) {
            return;
        }
        long left = drainExit.lastCount();
        LOG.info("{}: drained ({}); leaving the cluster", name(),
                left == 0 ? "no session left" : "the timeout came" + (left > 0 ? ", " + left + " sessions at the last count" : ""));
        drainExit.disarm();
        stop(true);
    }

    /** True when this node asks to drain. */
    public boolean draining() {
        return standing.draining;
    }

    /**
     * This node's port rules (on the loop): a coordinator proposes a view with them at once; any
     * other member keeps the view's until its coordinator has the same. Set them on every node.
     */
    public void rules(PortRules rules) {
        if (!rules.equals(standing.ownRules)) {
            LOG.info("{}: port rules {} (digest {}){}", name(), rules.text(), rules.digestText(),
                    viewChange.isCoordinator() ? ": proposing them" : "; the view changes when its coordinator has them");
        }
        standing.ownRules = rules;
    }

    /** The port rules of this node's configuration. */
    public PortRules ownRules() {
        return standing.ownRules;
    }

    /** Why the cluster does not let this node in (its port rules differ), or null. */
    public String refusal() {
        return standing.joining() ? standing.refusal : null;
    }

    /** The live sessions {@code node} owns: see {@link #sessionsPerOwner}. */
    public long sessionsOf(long node) {
        return sessionsPerOwner().getOrDefault(node, 0L);
    }

    /**
     * Live sessions per owner in every module's table (modules that list their sessions), on the
     * loop: what a draining node waits to see reach 0. Walks the tables.
     */
    public Map<Long, Long> sessionsPerOwner() {
        Map<Long, Long> counts = new java.util.TreeMap<>();
        long now = loop.nowMillis();
        for (ProtocolModule module : modules.distinct()) {
            if (module instanceof lnlb.core.api.table.SessionEntries entries) {
                long idle = entries.entryIdleMillis();
                for (int from = 0; from != lnlb.core.api.table.SessionEntries.END; ) {
                    from = entries.visit(this, from, 1 << 16, (key, owner, lastSeen, state) -> {
                        if (now - lastSeen < idle) {
                            counts.merge(owner, 1L, Long::sum);
                        }
                    });
                }
            }
        }
        return counts;
    }

    public State state() {
        return standing.state;
    }

    public View view() {
        return standing.view;
    }

    /** The cluster-frame counters (malformed, foreign, unauthenticated, replayed, ...). */
    public WireCounters wireCounters() {
        return reassembler.counters();
    }

    public EngineCounters counters() {
        return counters;
    }

    public ClusterConfig config() {
        return config;
    }

    public EventLoop loop() {
        return loop;
    }

    public ClusterLink link() {
        return link;
    }

    public ProtocolModule module(int protocol) {
        return modules.get(protocol);
    }

    /** The node this one believes coordinates view changes: the lowest live member. */
    public long coordinator() {
        return viewChange.coordinator();
    }

    /** Known peers (MAC to last-heard age in ms) for status dumps. */
    public Map<Long, Long> peerAges() {
        return membership.ages(loop.nowMillis());
    }

    // ---------------------------------------------------------------- frames in

    @Override
    public void onFrame(ByteBuffer buffer, int offset, int length) {
        if (standing.state == State.STOPPED) {
            return;
        }
        counters.framesIn++;
        if (length < ETHERNET_HEADER) {
            counters.malformedDatagrams++;
            return;
        }
        int etherType = buffer.getShort(offset + ETHERTYPE_OFFSET) & 0xFFFF;
        long destination = NodeAddress.read(buffer, offset);
        if (etherType == ClusterHeader.ETHERTYPE) {
            if (destination == clusterMac) {
                intake.onClusterFrame(buffer, offset, length);
            } else {
                counters.notForCluster++;
            }
        } else if (etherType == ETHERTYPE_ARP) {
            onArp(buffer, offset, length);
        } else if (destination != clusterMac) {
            counters.notForCluster++;
        } else if (etherType == ETHERTYPE_IPV4 || etherType == ETHERTYPE_IPV6) {
            if (standing.joining()) {
                joinSync.record(buffer, offset, length);
            } else {
                decider.onDatagram(buffer, offset, length, standing.view);
            }
        } else {
            counters.notForCluster++;
        }
    }

    /** ARP requests for the VIP go to the virtual interface, whose kernel answers with the cluster MAC. */
    private void onArp(ByteBuffer buffer, int offset, int length) {
        if (length < ETHERNET_HEADER + ARP_LENGTH || vipV4 == 0
                || buffer.getInt(offset + ARP_TARGET_IP_OFFSET) != vipV4) {
            counters.notForCluster++;
            return;
        }
        counters.arpDelivered++;
        decider.deliver(buffer, offset, length);
    }

    /** A datagram of this member's after its loop stood still: frames first, they queued while the view moved on. */
    private boolean divertAfterFreeze(ByteBuffer buffer, int offset, int length) {
        if (!liveness.rejoinIfFrozen(loop.nowMillis())) {
            return false;
        }
        joinSync.record(buffer, offset, length);
        return true;
    }

    // ---------------------------------------------------------------- timers

    private void tick() {
        if (standing.state == State.STOPPED) {
            return;
        }
        long now = loop.nowMillis();
        try {
            liveness.rejoinIfFrozen(now);
            liveness.ran(now);
            reassembler.expire(now);
            if (modules.expireOrphans(now)) {
                decider.replayOrphans();
            }
            switch (standing.state) {
                case JOINING, SYNCING -> joinSync.tick(now);
                case OBSERVER, MEMBER -> liveness.tickMember(now);
                default -> { }
            }
            leaveIfDrained(now);
        } finally {
            if (standing.state != State.STOPPED) {
                tickTimer = loop.schedule(tickMillis, this::tick);
            }
        }
    }

    /** Stops deciding and joins again from scratch: the modules' tables are reset, the view forgotten. */
    void rejoin() {
        for (ProtocolModule module : modules.distinct()) {
            modules.run(module, "rejoin", () -> {
                module.clusterDeleted(this);
                module.clusterCreated(this);
            });
        }
        standing.view = View.EMPTY;
        viewChange.reset();
        joinSync.restart();
    }
}
