package lnlb.core.internal.wire;

import java.util.List;
import java.util.Objects;
import lnlb.core.api.NodeAddress;

/**
 * A cluster view as carried by {@link ClusterMessage.Welcome}, {@link ClusterMessage.Prepare} and
 * {@link ClusterMessage.Commit}: {@code u64 epoch, u16 count, count x (6B node MAC, u32 weight)}.
 * The members are kept in the order given (the wire order).
 */
public record View(long epoch, List<Member> members) {
    /** The most members a view can carry (its count is a u16). */
    public static final int MAX_MEMBERS = 0xFFFF;

    /** One member: its node address and weight (u32). */
    public record Member(long node, int weight) {
        public Member {
            if (!NodeAddress.isValid(node)) {
                throw new IllegalArgumentException("node is not a 48-bit MAC: " + node);
            }
        }

        @Override
        public String toString() {
            return NodeAddress.format(node) + "/" + Integer.toUnsignedString(weight);
        }
    }

    public View {
        members = List.copyOf(Objects.requireNonNull(members, "members"));
        if (members.size() > MAX_MEMBERS) {
            throw new IllegalArgumentException("more than " + MAX_MEMBERS + " members: " + members.size());
        }
    }
}
