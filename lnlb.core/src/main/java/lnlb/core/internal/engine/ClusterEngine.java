package lnlb.core.internal.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lnlb.core.api.Cluster;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.Datagram;
import lnlb.core.api.FrameReceiver;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.internal.loop.EventLoop;
import lnlb.core.internal.wire.ClusterHeader;
import lnlb.core.internal.wire.ClusterMessage;
import lnlb.core.internal.wire.ClusterMessage.AskRetransmit;
import lnlb.core.internal.wire.ClusterMessage.Commit;
import lnlb.core.internal.wire.ClusterMessage.Committed;
import lnlb.core.internal.wire.ClusterMessage.Conntrack;
import lnlb.core.internal.wire.ClusterMessage.Heartbeat;
import lnlb.core.internal.wire.ClusterMessage.Join;
import lnlb.core.internal.wire.ClusterMessage.Leave;
import lnlb.core.internal.wire.ClusterMessage.Prepare;
import lnlb.core.internal.wire.ClusterMessage.Prepared;
import lnlb.core.internal.wire.ClusterMessage.Retransmit;
import lnlb.core.internal.wire.ClusterMessage.Welcome;
import lnlb.core.internal.wire.Fragmenter;
import lnlb.core.internal.wire.MessageAuthenticator;
import lnlb.core.internal.wire.Reassembler;
import lnlb.core.internal.wire.ReceivedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster on one node: the decision path for every datagram and the cluster protocol. Every
 * method runs on the cluster's {@link EventLoop}; other threads go through {@link #submit}.
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
    private final WeightSource weights;
    private final long self;
    private final long clusterMac;
    private final byte[] vip16;
    private final int vipV4;
    private final Datagram datagram = new Datagram();
    private final EngineCounters counters = new EngineCounters();
    private final ModuleTable modules;
    /** Datagrams of protocols whose module left, waiting for it (two queues: one is replayed while the other fills). */
    /** The view whose majority this node lost (quorum), until it is a member again: it founds no cluster without that majority. */
    private View quorumLostView;
    private FrameQueue orphanHeld;
    private FrameQueue orphanReplay;
    /** The view each of those datagrams arrived under, in the same order (the others decided it by that view). */
    private ArrayDeque<View> orphanHeldViews = new ArrayDeque<>();
    private ArrayDeque<View> orphanReplayViews = new ArrayDeque<>();
    private final Reassembler reassembler;
    private final Fragmenter fragmenter;
    private final ByteBuffer sendBuffer;
    private final Membership membership;
    private final JoinRecorder recorder;
    private final AmbiguityLog ambiguities = new AmbiguityLog(AMBIGUITY_LOG_CAPACITY);
    private final long tickMillis;

    private State state = State.STOPPED;
    private View view = View.EMPTY;
    private int messageId;
    private long nextHeartbeat;
    private long nextJoin;
    private long joinStarted;
    private long highestEpochSeen;
    private EventLoop.Timer tickTimer;
    private long lastTick;
    private boolean loggedModuleError;

    // A view another node proposed (or we did), between PREPARE and COMMIT.
    private View pending;
    private long pendingProposer = NodeAddress.NONE;
    private long pendingSince;

    // Coordinator: our proposal waiting for PREPARED.
    private View proposal;
    private final java.util.Set<Long> awaitingPrepared = new java.util.TreeSet<>();
    private long proposalDeadline;

    // Coordinator: the window between sending COMMIT and hearing the first COMMITTED.
    private final CommitWindow window;

    // Joining node: the welcome and the module states received so far.
    private Welcome welcome;
    private final Map<Integer, byte[]> syncStates = new HashMap<>();
    private long syncDeadline;

    public ClusterEngine(ClusterConfig config, ClusterLink link, EventLoop loop, WeightSource weights) {
        this.config = config;
        this.link = link;
        this.loop = loop;
        this.weights = weights;
        this.self = link.nodeAddress();
        this.clusterMac = config.clusterMac();
        this.vip16 = ClusterHeader.vipBytes(config.vip());
        byte[] raw = config.vip().getAddress();
        this.vipV4 = raw.length == 4 ? ByteBuffer.wrap(raw).getInt() : 0;
        // Budget: one largest message (a state transfer) + 8 MiB for the rest; quota: one largest message per sender.
        this.reassembler = new Reassembler(vip16, MAX_MESSAGE_BYTES, 64, MAX_MESSAGE_BYTES + (8L << 20),
                MAX_MESSAGE_BYTES, Math.max(1000, config.heartbeatIntervalMillis() * config.tolerance()));
        this.fragmenter = new Fragmenter(link.mtu(), MAX_MESSAGE_BYTES);
        if (config.key() != null) {
            long wall = System.currentTimeMillis();
            MessageAuthenticator authenticator = new MessageAuthenticator(MessageAuthenticator.parseKey(config.key()),
                    config.previousKey() == null ? null : MessageAuthenticator.parseKey(config.previousKey()),
                    wall + config.previousKeyMillis(), System::currentTimeMillis);
            fragmenter.setAuthenticator(authenticator);
            reassembler.setAuthenticator(authenticator);
        }
        this.sendBuffer = ByteBuffer.allocateDirect(ETHERNET_HEADER + link.mtu() + 64);
        this.window = new CommitWindow(config.holdFrames());
        this.recorder = new JoinRecorder(Math.min(32 << 20, config.joinBufferFrames() * 2048), config.joinBufferFrames());
        recorder.reserve(); // here, on the caller's thread: zeroing it later would stall the loop
        this.membership = new Membership(self, config.deadAfterMillis());
        this.modules = new ModuleTable(this, counters);
        this.orphanHeld = new FrameQueue(config.holdFrames() * 2048, config.holdFrames());
        this.orphanReplay = new FrameQueue(config.holdFrames() * 2048, config.holdFrames());
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
        long now = loop.nowMillis();
        state = State.JOINING;
        joinStarted = now;
        nextJoin = now;
        nextHeartbeat = now;
        tickTimer = loop.schedule(0, this::tick);
        LOG.info("{}: {} starting on {} as {}", name(), config.vip().getHostAddress(), config.device(),
                NodeAddress.format(self));
        if (config.key() == null) {
            LOG.warn("{}: no cluster key: the cluster trusts every host on its LAN with its membership", name());
        }
    }

    /** Leaves the cluster (LEAVE if {@code announce}) and releases the modules' tables. On the loop. */
    public void stop(boolean announce) {
        if (state == State.STOPPED) {
            return;
        }
        if (announce && (state == State.MEMBER || state == State.OBSERVER)) {
            send(new Leave());
        }
        state = State.STOPPED;
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
            replayOrphans();
        }
    }

    /**
     * Decides, in arrival order, what waited for a module (datagrams still orphaned wait again),
     * each by the view it arrived under: the nodes that had a module then decided it by that view,
     * and the view may have changed during the wait.
     */
    private void replayOrphans() {
        FrameQueue replay = orphanHeld;
        orphanHeld = orphanReplay;
        orphanReplay = replay;
        ArrayDeque<View> views = orphanHeldViews;
        orphanHeldViews = orphanReplayViews;
        orphanReplayViews = views;
        View current = view;
        try {
            replay.forEach((buffer, offset, length) -> {
                view = views.poll();
                onDatagram(buffer, offset, length);
            });
        } finally {
            view = current;
        }
        replay.clear();
        views.clear();
    }

    // ---------------------------------------------------------------- status (loop thread)

    public State state() {
        return state;
    }

    public View view() {
        return view;
    }

    /** The cluster-frame counters (malformed, foreign, unauthenticated, replayed, ...). */
    public lnlb.core.internal.wire.WireCounters wireCounters() {
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
        return membership.coordinator(view, loop.nowMillis());
    }

    /** Known peers (MAC to last-heard age in ms) for status dumps. */
    public Map<Long, Long> peerAges() {
        return membership.ages(loop.nowMillis());
    }

    // ---------------------------------------------------------------- frames in

    @Override
    public void onFrame(ByteBuffer buffer, int offset, int length) {
        if (state == State.STOPPED) {
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
                onClusterFrame(buffer, offset, length);
            } else {
                counters.notForCluster++;
            }
        } else if (etherType == ETHERTYPE_ARP) {
            onArp(buffer, offset, length);
        } else if (destination != clusterMac) {
            counters.notForCluster++;
        } else if (etherType == ETHERTYPE_IPV4 || etherType == ETHERTYPE_IPV6) {
            if (state == State.JOINING || state == State.SYNCING) {
                record(buffer, offset, length);
            } else {
                onDatagram(buffer, offset, length);
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
        deliver(buffer, offset, length);
    }

    private void record(ByteBuffer buffer, int offset, int length) {
        if (recorder.frame(buffer, offset, length, link.headroom())) {
            counters.buffered++;
        } else {
            counters.bufferDropped++;
        }
    }

    /** The hot path: owner by session, else by hash; accept if it is this node. No allocation. */
    private void onDatagram(ByteBuffer buffer, int offset, int length) {
        Datagram d = datagram.wrap(buffer, offset + ETHERNET_HEADER, length - ETHERNET_HEADER);
        if (!d.valid()) {
            counters.malformedDatagrams++;
            return;
        }
        counters.datagrams++;
        int slot = d.protocol();
        ProtocolModule module = modules.get(slot);
        if (module == null) {
            if (modules.orphaned(slot)) {
                holdOrphan(buffer, offset, length);
                return;
            }
            slot = ProtocolModule.DEFAULT_HANDLER;
            module = modules.get(slot);
            if (module == null) {
                if (modules.orphaned(slot)) {
                    holdOrphan(buffer, offset, length);
                } else {
                    counters.noModule++;
                }
                return;
            }
        }
        long owner;
        try {
            owner = window.isOpen() ? decideInWindow(module, slot, d, buffer, offset, length) : decide(module, slot, d);
        } catch (RuntimeException e) {
            moduleFailed(module, e);
            return;
        }
        if (owner == NodeAddress.NONE) {
            return; // held
        }
        decided(slot, owner, buffer, offset, length);
    }

    /** A decision made: counted, and the datagram delivered when it is this member's. */
    private void decided(int slot, long owner, ByteBuffer buffer, int offset, int length) {
        counters.decisionsPerProtocol[slot]++;
        if (owner != self || state != State.MEMBER) {
            counters.notMine++;
            return;
        }
        long now = loop.nowMillis();
        if (frozen(now)) {
            // Resumed after a freeze, frames first: they queued up while the view moved on.
            rejoinAfterFreeze(now);
            record(buffer, offset, length);
            return;
        }
        counters.accepted++;
        deliver(buffer, offset, length);
    }

    private void holdOrphan(ByteBuffer buffer, int offset, int length) {
        if (orphanHeld.offer(buffer, offset, length, link.headroom())) {
            orphanHeldViews.add(view);
            counters.swapHeld++;
        } else {
            counters.swapDropped++;
        }
    }

    /** Outside the coordinator's window: the current view decides; during PREPARE, racing datagrams are logged. */
    private long decide(ProtocolModule module, int slot, Datagram d) {
        long owner = module.related(this, d);
        View next = pending;
        if (owner == NodeAddress.NONE) {
            long key = module.assignmentKey(this, d);
            owner = view.table().ownerOfKey(key);
            if (next != null && next.table().ownerOfKey(key) != owner) {
                ambiguities.record(slot, key, Digest.of(d.buffer(), d.offset(), d.length()));
            }
            module.assigned(this, d, owner);
        } else if (next != null && !next.contains(owner)) {
            ambiguities.record(slot, module.assignmentKey(this, d), Digest.of(d.buffer(), d.offset(), d.length()));
        }
        return owner;
    }

    /** Coordinator between COMMIT and the first COMMITTED: hold what the two views decide differently. */
    private long decideInWindow(ProtocolModule module, int slot, Datagram d, ByteBuffer buffer, int offset, int length) {
        long tracked = module.related(this, d);
        long key = module.assignmentKey(this, d);
        long oldOwner = tracked != NodeAddress.NONE ? tracked : window.old().table().ownerOfKey(key);
        long newOwner = tracked != NodeAddress.NONE && view.contains(tracked) ? tracked : view.table().ownerOfKey(key);
        if (oldOwner != newOwner || window.holds(slot, key)) {
            if (window.hold(buffer, offset, length, link.headroom(), slot, key)) {
                counters.held++;
            } else {
                counters.heldDropped++;
            }
            return NodeAddress.NONE;
        }
        if (tracked == NodeAddress.NONE) {
            module.assigned(this, d, newOwner);
        }
        return newOwner;
    }

    private void deliver(ByteBuffer buffer, int offset, int length) {
        try {
            link.deliver(buffer, offset, length);
        } catch (IOException e) {
            counters.deliverErrors++;
        }
    }

    private void moduleFailed(ProtocolModule module, RuntimeException e) {
        counters.moduleErrors++;
        if (!loggedModuleError) {
            loggedModuleError = true;
            LOG.error("{}: module {} threw; its datagram is dropped (logged once)", name(), module, e);
        }
    }

    // ---------------------------------------------------------------- cluster messages in

    private void onClusterFrame(ByteBuffer buffer, int offset, int length) {
        ReceivedMessage received = reassembler.accept(buffer, offset, length, loop.nowMillis());
        if (received == null || received.sender() == self) {
            return;
        }
        counters.clusterMessages++;
        Peer peer = membership.heardFrom(received.sender(), loop.nowMillis());
        if (received.message() instanceof Join) {
            peer.state = Peer.JOINING; // every node sees the same JOIN: it restarted or is new
        } else if (received.message() instanceof Heartbeat h) {
            heard(peer, h.epoch(), h.weight(), h.state());
        } else if (received.message() instanceof Retransmit r) {
            heard(peer, r.epoch(), r.weight(), r.state());
        }
        if (state == State.JOINING || state == State.SYNCING) {
            if (received.message() instanceof Welcome || received.message() instanceof Conntrack) {
                handle(received.sender(), received.message());
            } else {
                // Replayed in stream order, with the recorded datagrams, once the state is loaded.
                if (!recorder.message(received)) {
                    counters.bufferDropped++;
                }
            }
            return;
        }
        handle(received.sender(), received.message());
    }

    private void heard(Peer peer, long epoch, int weight, int peerState) {
        peer.epoch = epoch;
        peer.weight = Math.max(1, weight);
        peer.state = peerState;
        highestEpochSeen = Math.max(highestEpochSeen, epoch);
    }

    private void handle(long sender, ClusterMessage message) {
        try {
            dispatch(sender, message);
        } catch (RuntimeException e) {
            // A well-formed message the protocol cannot use: drop it, keep the loop and the node.
            counters.badMessages++;
            LOG.warn("{}: dropped {} from {}: {}", name(), ClusterMessage.typeName(message.type()),
                    NodeAddress.format(sender), e.toString());
        }
    }

    private void dispatch(long sender, ClusterMessage message) {
        switch (message.type()) {
            case ClusterMessage.JOIN -> onJoin(sender);
            case ClusterMessage.WELCOME -> onWelcome((Welcome) message);
            case ClusterMessage.CONNTRACK -> onConntrack((Conntrack) message);
            case ClusterMessage.HEARTBEAT, ClusterMessage.RETRANSMIT -> onHeartbeat(sender);
            case ClusterMessage.ASK_RETRANSMIT -> onAskRetransmit(sender, (AskRetransmit) message);
            case ClusterMessage.LEAVE -> onLeave(sender);
            case ClusterMessage.PREPARE -> onPrepare(sender, WireViews.toView(((Prepare) message).view()));
            case ClusterMessage.PREPARED -> onPrepared(sender, ((Prepared) message).epoch());
            case ClusterMessage.COMMIT -> onCommit(sender, WireViews.toView(((Commit) message).view()));
            case ClusterMessage.COMMITTED -> onCommitted(sender, (Committed) message);
            default -> { }
        }
    }

    private void onJoin(long joiner) {
        if (!isCoordinator() || proposal != null || window.isOpen() || view.contains(joiner)) {
            return; // the joiner repeats JOIN; it is served when this node is idle
        }
        // The snapshot is taken where the JOIN sits in the frame stream; the joiner replays from there.
        List<Integer> slots = new ArrayList<>();
        List<byte[]> dumps = new ArrayList<>();
        for (int slot = 0; slot < 256; slot++) {
            ProtocolModule module = modules.get(slot);
            if (module != null) {
                byte[] dump = modules.call(module, "saveState", () -> module.saveState(this));
                if (dump != null) {
                    slots.add(slot);
                    dumps.add(dump);
                }
            }
        }
        int[] protocols = slots.stream().mapToInt(Integer::intValue).toArray();
        send(new Welcome(joiner, WireViews.toWire(view), protocols));
        for (int i = 0; i < protocols.length; i++) {
            send(new Conntrack(joiner, protocols[i], dumps.get(i)));
        }
        counters.joinsServed++;
        LOG.info("{}: welcomed {} with {} module states at {}", name(), NodeAddress.format(joiner), protocols.length, view);
    }

    private void onWelcome(Welcome message) {
        if (message.joiner() != self || state != State.JOINING) {
            return;
        }
        welcome = message;
        syncStates.clear();
        state = State.SYNCING;
        syncDeadline = loop.nowMillis() + config.heartbeatIntervalMillis() * config.tolerance();
        finishSyncIfComplete();
    }

    private void onConntrack(Conntrack message) {
        if (message.joiner() != self || state != State.SYNCING) {
            return;
        }
        syncStates.put(message.protocol(), message.state());
        finishSyncIfComplete();
    }

    private void finishSyncIfComplete() {
        for (int protocol : welcome.protocols()) {
            if (!syncStates.containsKey(protocol)) {
                return;
            }
        }
        View welcomed = WireViews.toView(welcome.view());
        for (int protocol : welcome.protocols()) {
            ProtocolModule module = modules.get(protocol);
            if (module == null) {
                LOG.warn("{}: no module here for protocol {}; its state is dropped", name(), protocol);
                continue;
            }
            byte[] dump = syncStates.get(protocol);
            modules.run(module, "loadState", () -> module.loadState(this, dump));
        }
        syncStates.clear();
        welcome = null;
        becomeObserver(welcomed);
    }

    /** Holds the state now: replay what was recorded, in order, then decide live. */
    private void becomeObserver(View initial) {
        view = initial;
        highestEpochSeen = Math.max(highestEpochSeen, initial.epoch());
        state = initial.contains(self) ? State.MEMBER : State.OBSERVER;
        // Time spent joining (JIT warm-up, a slow allocation) is not a freeze of a deciding node.
        lastTick = loop.nowMillis();
        int replayed = recorder.size();
        recorder.replay(new JoinRecorder.Replay() {
            @Override
            public void frame(ByteBuffer buffer, int offset, int length) {
                if (state == State.MEMBER || state == State.OBSERVER) {
                    onDatagram(buffer, offset, length);
                }
            }

            @Override
            public void message(ReceivedMessage message) {
                if (state != State.STOPPED) {
                    handle(message.sender(), message.message());
                }
            }
        });
        LOG.info("{}: synchronised at {} after replaying {} recorded frames; now {}", name(), view, replayed, state);
        sendHeartbeat();
    }

    private void onHeartbeat(long sender) {
        Peer peer = membership.peer(sender);
        if (peer.epoch > view.epoch() && pending == null && peer.state == Peer.MEMBER
                && (state == State.MEMBER || state == State.OBSERVER)) {
            // We missed a COMMIT: ask for the current view again.
            send(new AskRetransmit(sender, view.epoch()));
        }
        if (state == State.MEMBER && peer.state == Peer.MEMBER && !view.contains(sender)
                && peer.epoch >= view.epoch() && sender < view.lowest() && !isInPending(sender)) {
            // Two clusters formed at once (a start-up race): the one with the higher lowest MAC yields.
            LOG.warn("{}: another cluster led by {} exists; rejoining it", name(), NodeAddress.format(sender));
            rejoin();
        }
    }

    private boolean isInPending(long node) {
        return pending != null && pending.contains(node) || proposal != null && proposal.contains(node);
    }

    private void onAskRetransmit(long sender, AskRetransmit message) {
        if (message.target() != self) {
            return;
        }
        send(new Retransmit(view.epoch(), currentWeight(), stateCode()));
        if (message.epoch() < view.epoch() && (state == State.MEMBER)) {
            send(new Commit(WireViews.toWire(view)));
        } else if (proposal != null) {
            send(new Prepare(WireViews.toWire(proposal)));
        }
    }

    private void onLeave(long sender) {
        membership.peer(sender).left = true;
        LOG.info("{}: {} leaves", name(), NodeAddress.format(sender));
        if (isCoordinator()) {
            coordinate(loop.nowMillis());
        }
    }

    private void onPrepare(long sender, View proposed) {
        if (state != State.MEMBER && state != State.OBSERVER || proposed.epoch() <= view.epoch()) {
            return;
        }
        boolean replaces = pending == null || proposed.epoch() > pending.epoch()
                || proposed.epoch() == pending.epoch() && sender <= pendingProposer;
        if (replaces) {
            if (pending == null || pending.epoch() != proposed.epoch() || pendingProposer != sender) {
                ambiguities.clear();
            }
            pending = proposed;
            pendingProposer = sender;
            pendingSince = loop.nowMillis();
            highestEpochSeen = Math.max(highestEpochSeen, proposed.epoch());
        }
        if (waitsForModule(proposed)) {
            return; // answered when the coordinator repeats PREPARE and the module is back
        }
        send(new Prepared(proposed.epoch()));
    }

    /**
     * A protocol without a module holds its datagrams, which the other nodes decide at once by the
     * view of the moment: a view that only changes weights waits until the module is back (or its
     * grace period ends), so that the held ones are decided by that view here too. A node that
     * dies or joins changes the view at once.
     */
    private boolean waitsForModule(View next) {
        return modules.anyOrphaned() && next.sameMembers(view);
    }

    private void onPrepared(long sender, long epoch) {
        if (proposal == null || epoch != proposal.epoch()) {
            return;
        }
        awaitingPrepared.remove(sender);
        if (awaitingPrepared.isEmpty() && !waitsForModule(proposal)) {
            commitProposal();
        }
    }

    private void onCommit(long sender, View committed) {
        if (state != State.MEMBER && state != State.OBSERVER || committed.epoch() <= view.epoch()) {
            return;
        }
        boolean logged = pending != null && pending.epoch() == committed.epoch() && pending.sameMembership(committed);
        View old = view;
        applyView(committed);
        Committed reply = logged ? committedFromLog(committed.epoch())
                : new Committed(committed.epoch(), true, new int[0], new long[0], new long[0]);
        send(reply);
        if (!committed.contains(self) && old.contains(self)) {
            LOG.warn("{}: the cluster removed this node at {}; rejoining", name(), committed);
            rejoin();
        }
    }

    private Committed committedFromLog(long epoch) {
        int n = ambiguities.size();
        int[] slots = new int[n];
        long[] keys = new long[n];
        long[] digests = new long[n];
        for (int i = 0; i < n; i++) {
            slots[i] = ambiguities.slot(i);
            keys[i] = ambiguities.key(i);
            digests[i] = ambiguities.digestAt(i);
        }
        return new Committed(epoch, ambiguities.overflow(), slots, keys, digests);
    }

    /** Switches to a committed view: modules forget the nodes that are gone. */
    private void applyView(View next) {
        View old = view;
        view = next;
        pending = null;
        pendingProposer = NodeAddress.NONE;
        highestEpochSeen = Math.max(highestEpochSeen, next.epoch());
        counters.viewChanges++;
        forgetRemoved(old, next);
        if (state == State.OBSERVER && next.contains(self)) {
            state = State.MEMBER;
            quorumLostView = null;
        }
        LOG.info("{}: view {}", name(), next);
    }

    private void forgetRemoved(View old, View next) {
        for (int i = 0; i < old.size(); i++) {
            long node = old.member(i);
            if (!next.contains(node)) {
                counters.deaths++;
                for (ProtocolModule module : modules.distinct()) {
                    modules.run(module, "nodeDied", () -> module.nodeDied(this, node));
                }
            }
        }
    }

    private void onCommitted(long sender, Committed message) {
        if (!window.isOpen() || message.epoch() != view.epoch() || !window.old().contains(sender)) {
            return;
        }
        resolveWindow(message);
    }

    // ---------------------------------------------------------------- coordinator

    private boolean isCoordinator() {
        return state == State.MEMBER && coordinator() == self;
    }

    private boolean isAlive(long node) {
        return membership.isAlive(node, loop.nowMillis());
    }

    /** The view the cluster should have now: live members and synchronised observers, with their weights. */
    private View desiredView() {
        return membership.desired(view, currentWeight(), Math.max(view.epoch(), highestEpochSeen) + 1, loop.nowMillis());
    }

    private void coordinate(long now) {
        if (window.isOpen()) {
            if (now >= window.deadline()) {
                counters.commitAckTimeouts++;
                LOG.warn("{}: no COMMITTED for epoch {}; racing datagrams decided by the new view", name(), view.epoch());
                resolveWindow(null);
            }
            return;
        }
        if (proposal != null) {
            for (Long node : awaitingPrepared) {
                if (!isAlive(node) || membership.isRejoining(node)) {
                    // Silent, or it restarted and joins again: it will never answer this proposal.
                    LOG.info("{}: {} went away during a view change; proposing again", name(), NodeAddress.format(node));
                    proposal = null;
                    break;
                }
            }
            if (proposal != null) {
                if (now >= proposalDeadline) {
                    send(new Prepare(WireViews.toWire(proposal)));
                    proposalDeadline = now + config.heartbeatIntervalMillis();
                }
                return;
            }
        }
        View desired = desiredView();
        if (!desired.sameMembership(view) && !waitsForModule(desired)) {
            propose(desired, now);
        }
    }

    private void propose(View next, long now) {
        highestEpochSeen = next.epoch();
        proposal = next;
        pending = next;
        pendingProposer = self;
        awaitingPrepared.clear();
        for (int i = 0; i < next.size(); i++) {
            if (next.member(i) != self) {
                awaitingPrepared.add(next.member(i));
            }
        }
        proposalDeadline = now + config.heartbeatIntervalMillis();
        send(new Prepare(WireViews.toWire(next)));
        if (awaitingPrepared.isEmpty()) {
            commitProposal();
        }
    }

    private void commitProposal() {
        View next = proposal;
        proposal = null;
        send(new Commit(WireViews.toWire(next)));
        View old = view;
        view = next;
        pending = null;
        pendingProposer = NodeAddress.NONE;
        highestEpochSeen = Math.max(highestEpochSeen, next.epoch());
        counters.viewChanges++;
        LOG.info("{}: committed view {}", name(), next);
        boolean othersDecided = false;
        for (int i = 0; i < old.size(); i++) {
            othersDecided |= old.member(i) != self && next.contains(old.member(i));
        }
        if (othersDecided) {
            window.open(old, loop.nowMillis() + config.heartbeatIntervalMillis());
        } else {
            forgetRemoved(old, next);
        }
    }

    /**
     * Decides the datagrams held since COMMIT left: a session's held datagrams up to the one the
     * others logged were decided under the old view, the rest under the new one. {@code report}
     * null (no COMMITTED in time) or overflowed: every held datagram goes by the new view.
     */
    private void resolveWindow(Committed report) {
        View old = window.old();
        window.resolve(report, this::sessionOf, (buffer, offset, length, underOld) ->
                decideHeld(buffer, offset, length, old, underOld));
        forgetRemoved(old, view);
    }

    /** A held datagram's slot, session key and digest (see {@link CommitWindow.Sessions}). */
    private boolean sessionOf(ByteBuffer buffer, int offset, int length, long[] out) {
        Datagram d = datagram.wrap(buffer, offset + ETHERNET_HEADER, length - ETHERNET_HEADER);
        int slot = slotOf(d);
        ProtocolModule module = modules.get(slot);
        if (module == null || !d.valid()) {
            return false;
        }
        try {
            out[0] = slot;
            out[1] = module.assignmentKey(this, d);
            out[2] = Digest.of(d.buffer(), d.offset(), d.length());
            return true;
        } catch (RuntimeException e) {
            moduleFailed(module, e);
            return false;
        }
    }

    private void decideHeld(ByteBuffer buffer, int offset, int length, View old, boolean underOld) {
        Datagram d = datagram.wrap(buffer, offset + ETHERNET_HEADER, length - ETHERNET_HEADER);
        int slot = slotOf(d);
        ProtocolModule module = modules.get(slot);
        if (module == null) {
            counters.noModule++;
            return;
        }
        long owner;
        try {
            long key = module.assignmentKey(this, d);
            long tracked = module.related(this, d);
            if (underOld) {
                owner = tracked != NodeAddress.NONE ? tracked : old.table().ownerOfKey(key);
            } else {
                owner = tracked != NodeAddress.NONE && view.contains(tracked) ? tracked : view.table().ownerOfKey(key);
            }
            if (owner != tracked) {
                module.assigned(this, d, owner);
            }
        } catch (RuntimeException e) {
            moduleFailed(module, e);
            return;
        }
        decided(slot, owner, buffer, offset, length);
    }

    private int slotOf(Datagram d) {
        int slot = d.valid() ? d.protocol() : 0;
        return modules.get(slot) != null ? slot : ProtocolModule.DEFAULT_HANDLER;
    }

    // ---------------------------------------------------------------- timers

    private void tick() {
        if (state == State.STOPPED) {
            return;
        }
        long now = loop.nowMillis();
        try {
            if (frozen(now)) {
                rejoinAfterFreeze(now);
            }
            lastTick = now;
            reassembler.expire(now);
            if (modules.expireOrphans(now)) {
                replayOrphans();
            }
            switch (state) {
                case JOINING, SYNCING -> tickJoining(now);
                case OBSERVER, MEMBER -> tickMember(now);
                default -> { }
            }
        } finally {
            if (state != State.STOPPED) {
                tickTimer = loop.schedule(tickMillis, this::tick);
            }
        }
    }

    private void tickJoining(long now) {
        if (state == State.SYNCING && now > syncDeadline) {
            LOG.warn("{}: module states did not all arrive; joining again", name());
            state = State.JOINING;
            welcome = null;
        }
        if (now >= nextJoin && state == State.JOINING) {
            send(new Join(currentWeight()));
            nextJoin = now + Math.max(1, config.heartbeatIntervalMillis() / 2);
        }
        if (now >= nextHeartbeat) {
            sendHeartbeat();
            nextHeartbeat = now + config.heartbeatIntervalMillis();
        }
        // After losing the quorum, founding alone would split the cluster: wait to be welcomed, or
        // to hear a majority of that view again (all of it lost the quorum at once: a total blackout).
        if (state == State.JOINING && (quorumLostView == null || membership.hearsMajorityOf(quorumLostView, now))
                && !membership.anyLiveMember(now) && now - joinStarted >= config.deadAfterMillis()) {
            LOG.info("{}: nobody answered; founding the cluster", name());
            becomeObserver(new View(Math.max(1, highestEpochSeen + 1), new long[] {self}, new int[] {currentWeight()}));
        }
    }

    private void tickMember(long now) {
        if (config.quorum() && state == State.MEMBER && !membership.hearsMajorityOf(view, now)) {
            LOG.warn("{}: hears no majority of its view {} (quorum); accepts nothing until it has rejoined one",
                    name(), view);
            quorumLostView = view;
            rejoin();
            return;
        }
        if (now >= nextHeartbeat) {
            counters.rounds++;
            sendHeartbeat();
            nextHeartbeat = now + config.heartbeatIntervalMillis();
        }
        for (long silent : membership.toAskForRetransmit(view, config.heartbeatIntervalMillis() * 3 / 2, now)) {
            send(new AskRetransmit(silent, view.epoch()));
        }
        if (pending != null && pendingProposer != self && now - pendingSince > 2 * config.heartbeatIntervalMillis()) {
            pendingSince = now;
            send(new AskRetransmit(pendingProposer, view.epoch()));
        }
        if (isCoordinator()) {
            coordinate(now);
        }
    }

    /**
     * True when this deciding node has not ticked for longer than the others wait for a silent node:
     * it was frozen (SIGSTOP, a stalled VM) long enough to be declared dead, so its view is stale.
     */
    private boolean frozen(long now) {
        return lastTick != 0 && now - lastTick > config.deadAfterMillis()
                && (state == State.MEMBER || state == State.OBSERVER);
    }

    /** After a freeze: accept nothing more before having rejoined. */
    private void rejoinAfterFreeze(long now) {
        LOG.warn("{}: did not run for {} ms; rejoining", name(), now - lastTick);
        rejoin();
    }

    private void rejoin() {
        for (ProtocolModule module : modules.distinct()) {
            modules.run(module, "rejoin", () -> {
                module.clusterDeleted(this);
                module.clusterCreated(this);
            });
        }
        view = View.EMPTY;
        pending = null;
        proposal = null;
        window.clear();
        recorder.clear();
        state = State.JOINING;
        joinStarted = loop.nowMillis();
        nextJoin = joinStarted;
    }

    // ---------------------------------------------------------------- frames out

    private void sendHeartbeat() {
        send(new Heartbeat(view.epoch(), currentWeight(), stateCode()));
    }

    private int currentWeight() {
        return Math.max(1, weights.weight());
    }

    private int stateCode() {
        return switch (state) {
            case JOINING -> Peer.JOINING;
            case SYNCING -> Peer.SYNCING;
            case OBSERVER -> Peer.OBSERVER;
            default -> Peer.MEMBER;
        };
    }

    private void send(ClusterMessage message) {
        try {
            fragmenter.send(message, vip16, self, clusterMac, messageId++, this::transmit);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: cannot send {}: {}", name(), ClusterMessage.typeName(message.type()), e.getMessage());
        }
    }

    private void transmit(ByteBuffer frame) {
        try {
            link.transmit(frame);
        } catch (IOException e) {
            counters.transmitErrors++;
        }
    }

    // ---------------------------------------------------------------- helpers
}
