package lnlb.core.api.admin;

/** One ProtocolModule registration. */
public class ModuleDTO {
    /** It serves its protocol. */
    public static final String SERVING = "serving";
    /** Another registration for the same protocol ranks higher. */
    public static final String SHADOWED = "shadowed";
    /** Its registration is invalid (see {@link #reason}). */
    public static final String REJECTED = "rejected";

    /** The IP protocol (0 = default handler); -1 when rejected. */
    public int protocol;
    /** The symbolic name of the bundle that provides it. */
    public String bundle;
    /** That bundle's version. */
    public String version;
    /** Its {@code service.ranking}. */
    public int ranking;
    /** Its {@code service.id}. */
    public long serviceId;
    /** The implementation class. */
    public String type;
    /** {@link #SERVING}, {@link #SHADOWED} or {@link #REJECTED}. */
    public String status;
    /** Why it does not serve, or empty. */
    public String reason;
}
