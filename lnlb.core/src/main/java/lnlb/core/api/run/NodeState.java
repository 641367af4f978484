package lnlb.core.api.run;

/** Where this node stands in its cluster. */
public enum NodeState {
    /** Sending JOIN, recording frames; decides nothing. */
    JOINING,
    /** Welcomed; waiting for the module states. */
    SYNCING,
    /** Holds the state and decides every datagram, but owns none until a view includes it. */
    OBSERVER,
    /** In the view: owns its share. */
    MEMBER,
    /** Not started yet, left, or stopped. */
    STOPPED
}
