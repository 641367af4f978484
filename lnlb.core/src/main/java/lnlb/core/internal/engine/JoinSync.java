package lnlb.core.internal.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.internal.wire.ClusterMessage.Conntrack;
import lnlb.core.internal.wire.ClusterMessage.Join;
import lnlb.core.internal.wire.ClusterMessage.Welcome;
import lnlb.core.internal.wire.ReceivedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joining, on both sides. A joining node sends JOIN and records every frame from then on; the
 * coordinator answers with WELCOME and its modules' states, taken where the JOIN sits in the frame
 * stream; the joiner loads them, replays what it recorded, and decides from then on (it accepts
 * nothing until a COMMIT makes it a member). When nobody answers, one node founds the cluster, under
 * the rules of {@link #mayFound} that keep every stalled node from founding its own.
 */
final class JoinSync extends EnginePart {
    private static final Logger LOG = LoggerFactory.getLogger(JoinSync.class);
    /**
     * Death timeouts a rejoining node waits for the other member of its last two-member view (or,
     * with {@code quorum = false}, for any other member) before it founds alone: long enough for a
     * peer that stalled with it to resume and be heard (it JOINs every half interval), short
     * enough that the survivor of a real death serves again (28.5 s with the defaults).
     */
    static final int FOUND_ALONE_TIMEOUTS = 3;

    private final Outbox outbox;
    private final Liveness liveness;
    private final JoinRecorder recorder;
    private final JoinRecorder.Replay replay;
    private long joinStarted;
    private long nextJoin;
    // Joining node: the welcome and the module states received so far.
    private Welcome welcome;
    private long welcomer = NodeAddress.NONE;
    private final Map<Integer, byte[]> syncStates = new HashMap<>();
    private long syncDeadline;
    // Coordinator: the last joiner welcomed, and when.
    private long lastJoiner = NodeAddress.NONE;
    private long lastWelcome = Long.MIN_VALUE / 2;

    /** @param replay decides the recorded frames and handles the recorded messages once the state is loaded */
    JoinSync(Shared shared, Outbox outbox, Liveness liveness, JoinRecorder.Replay replay) {
        super(shared);
        this.outbox = outbox;
        this.liveness = liveness;
        this.replay = replay;
        this.recorder = new JoinRecorder(Math.min(32 << 20, config.joinBufferFrames() * 2048), config.joinBufferFrames());
        recorder.reserve(); // here, on the caller's thread: zeroing it later would stall the loop
    }

    /**
     * Starts (again) from JOINING: record from now on, JOIN after listening for a heartbeat interval.
     * A joiner takes a WELCOME only from the lowest live member it hears; JOINing at once, it would
     * refuse the coordinator's quick answer for not having heard its heartbeat yet, and the
     * coordinator welcomes the same joiner again only after a death timeout (seconds lost per join).
     */
    void restart() {
        recorder.clear();
        standing.state = ClusterEngine.State.JOINING;
        joinStarted = loop.nowMillis();
        nextJoin = joinStarted + config.heartbeatIntervalMillis() + config.heartbeatIntervalMillis() / 4;
    }

    void record(ByteBuffer buffer, int offset, int length) {
        if (recorder.frame(buffer, offset, length, link.headroom())) {
            counters.buffered++;
        } else {
            counters.bufferDropped++;
        }
    }

    /** A cluster message that arrived while joining: replayed in stream order once the state is loaded. */
    void record(ReceivedMessage message) {
        if (!recorder.message(message)) {
            counters.bufferDropped++;
        }
    }

    // ---------------------------------------------------------------- the coordinator's side

    /**
     * True when this coordinator may welcome {@code joiner} now. A welcome costs a full state dump
     * of every module, so at most one per heartbeat interval, and the same joiner not again before
     * its states could have arrived (it JOINs every half interval meanwhile): a stream of JOINs,
     * repeated or forged on a keyless LAN, costs no more than that.
     */
    boolean mayWelcome(long joiner, long now) {
        return now - lastWelcome >= config.heartbeatIntervalMillis()
                && (joiner != lastJoiner || now - lastWelcome >= config.heartbeatIntervalMillis() * config.tolerance());
    }

    /** Welcomes {@code joiner} with the modules' states as they are now, where its JOIN sits in the stream. */
    void welcome(long joiner) {
        lastJoiner = joiner;
        lastWelcome = loop.nowMillis();
        List<Integer> slots = new ArrayList<>();
        List<byte[]> dumps = new ArrayList<>();
        for (int slot = 0; slot < 256; slot++) {
            ProtocolModule module = modules.get(slot);
            if (module != null) {
                byte[] dump = modules.call(module, "saveState", () -> module.saveState(cluster));
                if (dump != null) {
                    slots.add(slot);
                    dumps.add(dump);
                }
            }
        }
        int[] protocols = slots.stream().mapToInt(Integer::intValue).toArray();
        outbox.send(new Welcome(joiner, WireViews.toWire(standing.view), protocols));
        for (int i = 0; i < protocols.length; i++) {
            outbox.send(new Conntrack(joiner, protocols[i], dumps.get(i)));
        }
        counters.joinsServed++;
        LOG.info("{}: welcomed {} with {} module states at {}", cluster.name(), NodeAddress.format(joiner), protocols.length,
                standing.view);
    }

    // ---------------------------------------------------------------- the joiner's side

    /**
     * A WELCOME for this joining node. Without a key any host can send one, and a joiner that took
     * a forged view or state would decide unlike the others; so it takes one only from the lowest
     * member it hears (the coordinator), and never one whose view already holds it (a coordinator
     * welcomes only nodes outside its view: such a view would make it a member at once).
     */
    void onWelcome(long sender, Welcome message) {
        if (message.joiner() != self || standing.state != ClusterEngine.State.JOINING) {
            return;
        }
        if (sender != membership.lowestLiveMember(loop.nowMillis()) || WireViews.toView(message.view()).contains(self)) {
            counters.badMessages++;
            return;
        }
        welcome = message;
        welcomer = sender;
        syncStates.clear();
        standing.state = ClusterEngine.State.SYNCING;
        syncDeadline = loop.nowMillis() + config.heartbeatIntervalMillis() * config.tolerance();
        finishSyncIfComplete();
    }

    /** A module state for this joining node: only from the node whose WELCOME it took. */
    void onConntrack(long sender, Conntrack message) {
        if (message.joiner() != self || standing.state != ClusterEngine.State.SYNCING) {
            return;
        }
        if (sender != welcomer) {
            counters.badMessages++;
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
                LOG.warn("{}: no module here for protocol {}; its state is dropped", cluster.name(), protocol);
                continue;
            }
            byte[] dump = syncStates.get(protocol);
            modules.run(module, "loadState", () -> module.loadState(cluster, dump));
        }
        syncStates.clear();
        welcome = null;
        becomeObserver(welcomed);
    }

    /** Holds the state now: replay what was recorded, in order, then decide live. */
    private void becomeObserver(View initial) {
        standing.view = initial;
        standing.sawEpoch(initial.epoch());
        standing.state = initial.contains(self) ? ClusterEngine.State.MEMBER : ClusterEngine.State.OBSERVER;
        standing.remember(initial);
        // Time spent joining (JIT warm-up, a slow allocation) is not a freeze of a deciding node.
        liveness.ran(loop.nowMillis());
        int replayed = recorder.size();
        recorder.replay(replay);
        LOG.info("{}: synchronised at {} after replaying {} recorded frames; now {}", cluster.name(), standing.view,
                replayed, standing.state);
        outbox.heartbeat();
    }

    void tick(long now) {
        if (standing.state == ClusterEngine.State.SYNCING && now > syncDeadline) {
            LOG.warn("{}: module states did not all arrive; joining again", cluster.name());
            standing.state = ClusterEngine.State.JOINING;
            welcome = null;
        }
        if (now >= nextJoin && standing.state == ClusterEngine.State.JOINING) {
            outbox.send(new Join(outbox.weight(), standing.ownRules.digest()));
            nextJoin = now + Math.max(1, config.heartbeatIntervalMillis() / 2);
        }
        liveness.heartbeatIfDue(now);
        if (standing.state == ClusterEngine.State.JOINING && mayFound(now)) {
            LOG.info("{}: nobody answered; founding the cluster", cluster.name());
            becomeObserver(new View(Math.max(1, standing.highestEpochSeen + 1), new long[] {self},
                    new int[] {outbox.weight()}, new boolean[] {standing.draining}, standing.ownRules));
        }
    }

    /**
     * Whether this joining node may found a cluster alone: nobody answered its JOINs for the death
     * timeout, no live member exists to welcome it, and no lower node is joining (when every node
     * rejoins at once, after a collective stall, only the lowest founds and welcomes the others).
     * A node that was a member with others must also hear them: a majority of that view (the
     * majority rule, views of three or more), else one of its other members or, if none comes back,
     * {@link #FOUND_ALONE_TIMEOUTS} death timeouts: its peer may really have died meanwhile.
     */
    private boolean mayFound(long now) {
        if (now - joinStarted < config.deadAfterMillis() || membership.anyLiveMember(now)
                || !membership.noLowerNodeHeard(now)) {
            return false;
        }
        View last = standing.lastSharedView;
        if (last == null) {
            return true;
        }
        if (liveness.majorityRuleApplies(last)) {
            return membership.hearsMajorityOf(last, now);
        }
        return membership.hearsOtherMemberOf(last, now)
                || now - joinStarted >= FOUND_ALONE_TIMEOUTS * config.deadAfterMillis();
    }
}
