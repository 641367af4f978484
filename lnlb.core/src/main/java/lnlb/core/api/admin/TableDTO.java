package lnlb.core.api.admin;

/** The session table one serving module keeps for one cluster. */
public class TableDTO {
    /** The protocols it serves on this cluster. */
    public int[] protocols;
    /** The implementation class of the module. */
    public String type;
    /** The bundle that provides it. */
    public String bundle;
    /**
     * How many sessions it tracks, or -1 when the module does not say (a module says by
     * implementing {@link lnlb.core.api.ModuleStatus}).
     */
    public int entries;
}
