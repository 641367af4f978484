package lnlb.core.api.admin;

/** One node of a cluster. */
public class NodeDTO {
    /** The node's MAC, {@code xx:xx:xx:xx:xx:xx}. */
    public String mac;
    /** Its weight in the current view (0 when it is not in the view). */
    public int weight;
    /** Its share of new sessions in percent: its slice of the current view's cut table (0 when not in the view). */
    public double share;
    /** member, silent (in the view but not heard lately), joining (heard, not in the view), gone (out of the view and
     * not heard for the death timeout, listed for five minutes), or this node's own state. */
    public String state;
    /** Whether it is in the current view. */
    public boolean inView;
    /** Whether it is this node. */
    public boolean self;
    /** Whether it coordinates view changes. */
    public boolean coordinator;
    /** Milliseconds since it was last heard; 0 for this node. */
    public long lastHeardMillis;
    /** Whether the view has it draining: it keeps its sessions and takes no new one (its state then says draining). */
    public boolean draining;
    /** The live sessions it owns in this node's tables (every node holds the same tables). */
    public long sessions;
}
