package lnlb.core.internal.wire;

import java.util.List;
import java.util.Objects;
import lnlb.core.api.NodeAddress;

/**
 * A cluster view as carried by {@link ClusterMessage.Welcome}, {@link ClusterMessage.Prepare} and
 * {@link ClusterMessage.Commit}: {@code u64 epoch, u16 count, count x (6B node MAC, u32 weight,
 * u8 flags), u16 length, length bytes of port rules (UTF-8, canonical text; empty = the default)}.
 * Member flags: bit 0 draining. The members are kept in the order given (the wire order).
 */
public record View(long epoch, List<Member> members, String rules) {
    /** The most members a view can carry (its count is a u16). */
    public static final int MAX_MEMBERS = 0xFFFF;

    /** One member: its node address, weight (u32) and whether it drains. */
    public record Member(long node, int weight, boolean draining) {
        /** Member flag on the wire: takes no new session. */
        public static final int DRAINING = 1;

        public Member(long node, int weight) {
            this(node, weight, false);
        }

        public Member {
            if (!NodeAddress.isValid(node)) {
                throw new IllegalArgumentException("node is not a 48-bit MAC: " + node);
            }
        }

        @Override
        public String toString() {
            return NodeAddress.format(node) + "/" + Integer.toUnsignedString(weight) + (draining ? " draining" : "");
        }
    }

    public View(long epoch, List<Member> members) {
        this(epoch, members, "");
    }

    public View {
        members = List.copyOf(Objects.requireNonNull(members, "members"));
        Objects.requireNonNull(rules, "rules");
        if (rulesBytes(rules).length > 0xFFFF) {
            throw new IllegalArgumentException("port rules longer than 65535 bytes");
        }
        if (members.size() > MAX_MEMBERS) {
            throw new IllegalArgumentException("more than " + MAX_MEMBERS + " members: " + members.size());
        }
    }

    /** The rules as the wire carries them. */
    public byte[] rulesBytes() {
        return rulesBytes(rules);
    }

    private static byte[] rulesBytes(String rules) {
        return rules.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
