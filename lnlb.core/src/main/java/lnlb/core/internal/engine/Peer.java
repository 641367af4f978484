package lnlb.core.internal.engine;

/** What this node knows of another node, from the messages it heard. Owned by the cluster loop. */
final class Peer {
    /** Nothing said yet: neither a heartbeat nor a JOIN heard. */
    static final int UNKNOWN = -1;
    static final int JOINING = 0;
    static final int SYNCING = 1;
    static final int OBSERVER = 2;
    static final int MEMBER = 3;

    final long node;
    long lastHeard;
    int weight = 1;
    int state = UNKNOWN;
    long epoch;
    boolean askedRetransmit;
    boolean left;
    /** It asks to take no new session. */
    boolean draining;
    /** Digest of the port rules of its configuration (JOIN, heartbeats); 0 = not said. */
    int rules;
    /** Its refusal was logged (a JOIN whose rules differ from the view's). */
    boolean refusalLogged;

    Peer(long node, long now) {
        this.node = node;
        this.lastHeard = now;
    }
}
