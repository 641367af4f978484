package lnlb.core.internal.engine;

/**
 * Where this node stands in its cluster: its lifecycle state, the view it decides by, and what it
 * remembers of views. Shared by the engine's parts; only the cluster's loop touches it.
 */
final class Standing {
    private final long self;
    ClusterEngine.State state = ClusterEngine.State.STOPPED;
    View view = View.EMPTY;
    /** The view proposed between PREPARE and COMMIT, or null: datagrams that race it are logged. */
    View pending;
    /** The highest epoch heard of (proposed, committed or in a heartbeat): the next view goes above it. */
    long highestEpochSeen;
    /**
     * The last view this node was a member of with others. After a rejoin (a freeze, a lost
     * majority) those others may be rejoining too or still serving: founding alone would split the
     * cluster, so {@link JoinSync} asks to hear them first.
     */
    View lastSharedView;
    /** The port rules of this node's configuration: a view it founds or coordinates carries them. */
    PortRules ownRules = PortRules.DEFAULT;
    /** This node asks to take no new session (drain): its heartbeats say so, the coordinator's view follows. */
    boolean draining;
    /** Why this node is not let in, or null: the cluster's port rules differ from its own. */
    String refusal;

    Standing(long self) {
        this.self = self;
    }

    /** Holds the state and decides datagrams (a member, or an observer waiting to be one). */
    boolean deciding() {
        return state == ClusterEngine.State.MEMBER || state == ClusterEngine.State.OBSERVER;
    }

    /** Recording frames while waiting for the state: nothing is decided. */
    boolean joining() {
        return state == ClusterEngine.State.JOINING || state == ClusterEngine.State.SYNCING;
    }

    void sawEpoch(long epoch) {
        highestEpochSeen = Math.max(highestEpochSeen, epoch);
    }

    long nextEpoch() {
        return Math.max(view.epoch(), highestEpochSeen) + 1;
    }

    /**
     * Makes {@code next} the deciding view; an observer it names becomes a member. Returns the view
     * it replaces. The one place a view changes (the coordinator's commit, a received COMMIT).
     */
    View switchTo(View next) {
        View old = view;
        view = next;
        sawEpoch(next.epoch());
        if (state == ClusterEngine.State.OBSERVER && next.contains(self)) {
            state = ClusterEngine.State.MEMBER;
        }
        remember(next);
        return old;
    }

    /** Keeps the views this member shares with others; alone in its view, it has nobody to split from. */
    void remember(View next) {
        if (next.contains(self)) {
            lastSharedView = next.size() >= 2 ? next : null;
        }
    }

    /** Heartbeat flags of this node ({@code ClusterMessage.DRAINING}). */
    int flags() {
        return draining ? lnlb.core.internal.wire.ClusterMessage.DRAINING : 0;
    }

    /** Heartbeat code of this node's state. */
    int code() {
        return switch (state) {
            case JOINING -> Peer.JOINING;
            case SYNCING -> Peer.SYNCING;
            case OBSERVER -> Peer.OBSERVER;
            default -> Peer.MEMBER;
        };
    }
}
