package lnlb.core.internal.component;

import java.util.Map;
import lnlb.core.api.ProtocolModule;
import org.osgi.framework.Constants;

/**
 * The properties of one ProtocolModule registration, read once (as Felix's whiteboard AbstractInfo
 * does). Orders the highest {@code service.ranking} first, then the lowest {@code service.id}.
 */
public final class ModuleInfo implements Comparable<ModuleInfo> {
    public static final int INVALID = -1;

    private final ProtocolModule module;
    private final int protocol;
    private final int ranking;
    private final long serviceId;
    private final String problem;

    private ModuleInfo(ProtocolModule module, int protocol, int ranking, long serviceId, String problem) {
        this.module = module;
        this.protocol = protocol;
        this.ranking = ranking;
        this.serviceId = serviceId;
        this.problem = problem;
    }

    public static ModuleInfo of(ProtocolModule module, Map<String, ?> properties) {
        Object rawProtocol = properties.get(ProtocolModule.PROTOCOL);
        Object rawRanking = properties.get(Constants.SERVICE_RANKING);
        Object rawId = properties.get(Constants.SERVICE_ID);
        long id = rawId instanceof Number n ? n.longValue() : 0;
        int ranking = rawRanking instanceof Integer r ? r : 0;
        int protocol = INVALID;
        String problem = null;
        if (rawProtocol instanceof Number n && n.longValue() >= 0 && n.longValue() <= 255) {
            protocol = n.intValue();
        } else if (rawProtocol instanceof String s && s.matches("\\d{1,3}") && Integer.parseInt(s) <= 255) {
            protocol = Integer.parseInt(s);
        } else {
            problem = "rejected: " + ProtocolModule.PROTOCOL + " must be an integer 0..255, is " + rawProtocol;
        }
        return new ModuleInfo(module, protocol, ranking, id, problem);
    }

    public ProtocolModule module() {
        return module;
    }

    public int protocol() {
        return protocol;
    }

    public int ranking() {
        return ranking;
    }

    public long serviceId() {
        return serviceId;
    }

    /** Why this registration cannot serve, or null. */
    public String problem() {
        return problem;
    }

    /** Same registration with the same properties: an update that changes nothing. */
    public boolean isSame(ModuleInfo other) {
        return other != null && module == other.module && protocol == other.protocol && ranking == other.ranking
                && serviceId == other.serviceId;
    }

    @Override
    public int compareTo(ModuleInfo other) {
        int byRanking = Integer.compare(other.ranking, ranking);
        return byRanking != 0 ? byRanking : Long.compare(serviceId, other.serviceId);
    }

    @Override
    public String toString() {
        return "protocol " + protocol + " ranking " + ranking + " service.id " + serviceId + " " + module;
    }
}
