package lnlb.core.internal.wire;

import java.util.Arrays;
import java.util.Objects;
import lnlb.core.api.NodeAddress;

/**
 * One cluster message body (DESIGN.md §4). {@link MessageCodec} turns a message into its body bytes
 * and back; {@link Fragmenter} and {@link Reassembler} carry the body in frames.
 *
 * <p>All fields are big-endian on the wire: MACs take 6 bytes, weights are u32 (carried in an
 * {@code int}, so read it with {@link Integer#toUnsignedLong} if the high bit matters), epochs and
 * keys u64, states, protocols and slots u8. Constructors reject values that do not fit their wire
 * field; {@link MessageCodec#decode} only builds values that fit, so decoding never throws.
 *
 * <p>Records holding arrays do not copy them: the arrays belong to the record and must not be
 * modified. Their {@code equals}, {@code hashCode} and {@code toString} compare contents.
 */
public sealed interface ClusterMessage {
    /** Heartbeat flag: the sender drains (takes no new session). */
    int DRAINING = 1;

    /** {@link Join}: a node asks to join; repeated at start. */
    int JOIN = 1;
    /** {@link Welcome}: the first node's answer to a join, followed by CONNTRACK dumps. */
    int WELCOME = 2;
    /** {@link Heartbeat}: a round's broadcast of the sender's weight. */
    int HEARTBEAT = 3;
    /** {@link AskRetransmit}: a node silent in this round is asked to repeat its heartbeat. */
    int ASK_RETRANSMIT = 4;
    /** {@link Retransmit}: the answer to {@link AskRetransmit}. */
    int RETRANSMIT = 5;
    /** {@link Leave}: the sender leaves the cluster. */
    int LEAVE = 6;
    /** {@link Conntrack}: one protocol module's saved state, for a joining node. */
    int CONNTRACK = 7;
    /** {@link Prepare}: first phase of a view change. */
    int PREPARE = 8;
    /** {@link Prepared}: a node holds a prepared view. */
    int PREPARED = 9;
    /** {@link Commit}: second phase of a view change. */
    int COMMIT = 10;
    /** {@link Committed}: a node switched to a committed view. */
    int COMMITTED = 11;
    /** The lowest message type number. */
    int MIN_TYPE = JOIN;
    /** The highest message type number. */
    int MAX_TYPE = COMMITTED;

    /** The message type number carried in the frame header. */
    int type();

    /** True for a type number this version knows. */
    static boolean isKnownType(int type) {
        return type >= MIN_TYPE && type <= MAX_TYPE;
    }

    /** The type's name for logs, e.g. {@code HEARTBEAT}, or {@code TYPE_42} for an unknown one. */
    static String typeName(int type) {
        switch (type) {
            case JOIN: return "JOIN";
            case WELCOME: return "WELCOME";
            case HEARTBEAT: return "HEARTBEAT";
            case ASK_RETRANSMIT: return "ASK_RETRANSMIT";
            case RETRANSMIT: return "RETRANSMIT";
            case LEAVE: return "LEAVE";
            case CONNTRACK: return "CONNTRACK";
            case PREPARE: return "PREPARE";
            case PREPARED: return "PREPARED";
            case COMMIT: return "COMMIT";
            case COMMITTED: return "COMMITTED";
            default: return "TYPE_" + type;
        }
    }

    /** Body: {@code u32 weight, u32 rules digest} (the joiner's port rules: a view with others refuses it). */
    record Join(int weight, int rules) implements ClusterMessage {
        public Join(int weight) {
            this(weight, 0);
        }

        @Override
        public int type() {
            return JOIN;
        }
    }

    /**
     * Body: {@code 6B joiner, View, u16 count, count x u8 protocol}: the protocol slots whose
     * {@link Conntrack} dumps follow.
     */
    record Welcome(long joiner, View view, int[] protocols) implements ClusterMessage {
        public Welcome {
            requireNode(joiner, "joiner");
            Objects.requireNonNull(view, "view");
            Objects.requireNonNull(protocols, "protocols");
            if (protocols.length > 0xFFFF) {
                throw new IllegalArgumentException("more than 65535 protocols: " + protocols.length);
            }
            for (int protocol : protocols) {
                requireU8(protocol, "protocol");
            }
        }

        @Override
        public int type() {
            return WELCOME;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Welcome w && w.joiner == joiner && w.view.equals(view)
                    && Arrays.equals(w.protocols, protocols);
        }

        @Override
        public int hashCode() {
            return Objects.hash(joiner, view) * 31 + Arrays.hashCode(protocols);
        }

        @Override
        public String toString() {
            return "Welcome[joiner=" + NodeAddress.format(joiner) + ", view=" + view + ", protocols="
                    + Arrays.toString(protocols) + "]";
        }
    }

    /**
     * Body: {@code u64 epoch, u32 weight, u8 state, u8 flags, u32 rules digest}. Flags: bit 0 the
     * node drains ({@link #DRAINING}). The digest is of the port rules in the node's configuration.
     */
    record Heartbeat(long epoch, int weight, int state, int flags, int rules) implements ClusterMessage {
        public Heartbeat {
            requireU8(state, "state");
            requireU8(flags, "flags");
        }

        public Heartbeat(long epoch, int weight, int state) {
            this(epoch, weight, state, 0, 0);
        }

        @Override
        public int type() {
            return HEARTBEAT;
        }
    }

    /** Body: {@code 6B target, u64 epoch}. */
    record AskRetransmit(long target, long epoch) implements ClusterMessage {
        public AskRetransmit {
            requireNode(target, "target");
        }

        @Override
        public int type() {
            return ASK_RETRANSMIT;
        }
    }

    /** Body: as {@link Heartbeat}'s. */
    record Retransmit(long epoch, int weight, int state, int flags, int rules) implements ClusterMessage {
        public Retransmit {
            requireU8(state, "state");
            requireU8(flags, "flags");
        }

        public Retransmit(long epoch, int weight, int state) {
            this(epoch, weight, state, 0, 0);
        }

        @Override
        public int type() {
            return RETRANSMIT;
        }
    }

    /** Body: empty. */
    record Leave() implements ClusterMessage {
        @Override
        public int type() {
            return LEAVE;
        }
    }

    /** Body: {@code 6B joiner, u8 protocol, u32 length, length bytes of module state}. */
    record Conntrack(long joiner, int protocol, byte[] state) implements ClusterMessage {
        public Conntrack {
            requireNode(joiner, "joiner");
            requireU8(protocol, "protocol");
            Objects.requireNonNull(state, "state");
        }

        @Override
        public int type() {
            return CONNTRACK;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Conntrack c && c.joiner == joiner && c.protocol == protocol
                    && Arrays.equals(c.state, state);
        }

        @Override
        public int hashCode() {
            return Objects.hash(joiner, protocol) * 31 + Arrays.hashCode(state);
        }

        @Override
        public String toString() {
            return "Conntrack[joiner=" + NodeAddress.format(joiner) + ", protocol=" + protocol + ", state="
                    + state.length + " bytes]";
        }
    }

    /** Body: {@link View}. */
    record Prepare(View view) implements ClusterMessage {
        public Prepare {
            Objects.requireNonNull(view, "view");
        }

        @Override
        public int type() {
            return PREPARE;
        }
    }

    /** Body: {@code u64 epoch}. */
    record Prepared(long epoch) implements ClusterMessage {
        @Override
        public int type() {
            return PREPARED;
        }
    }

    /** Body: {@link View}. */
    record Commit(View view) implements ClusterMessage {
        public Commit {
            Objects.requireNonNull(view, "view");
        }

        @Override
        public int type() {
            return COMMIT;
        }
    }

    /**
     * Body: {@code u64 epoch, u8 overflow (0 or 1), u32 count, count x (u8 slot, u64 key, u64 digest)}; the
     * three arrays run in parallel (digest: the last racing datagram of the key, see the engine).
     */
    record Committed(long epoch, boolean overflow, int[] slots, long[] keys, long[] digests) implements ClusterMessage {
        public Committed {
            Objects.requireNonNull(slots, "slots");
            Objects.requireNonNull(keys, "keys");
            Objects.requireNonNull(digests, "digests");
            // digests were added by the lead for the engine's commit-window resolution (ClusterEngine javadoc).
            if (slots.length != keys.length || keys.length != digests.length) {
                throw new IllegalArgumentException(slots.length + " slots, " + keys.length + " keys, "
                        + digests.length + " digests");
            }
            for (int slot : slots) {
                requireU8(slot, "slot");
            }
        }

        /** A report without digests (every digest 0). */
        public Committed(long epoch, boolean overflow, int[] slots, long[] keys) {
            this(epoch, overflow, slots, keys, new long[keys.length]);
        }

        @Override
        public int type() {
            return COMMITTED;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Committed c && c.epoch == epoch && c.overflow == overflow
                    && Arrays.equals(c.slots, slots) && Arrays.equals(c.keys, keys)
                    && Arrays.equals(c.digests, digests);
        }

        @Override
        public int hashCode() {
            return ((Objects.hash(epoch, overflow) * 31 + Arrays.hashCode(slots)) * 31 + Arrays.hashCode(keys)) * 31
                    + Arrays.hashCode(digests);
        }

        @Override
        public String toString() {
            return "Committed[epoch=" + epoch + ", overflow=" + overflow + ", slots=" + Arrays.toString(slots)
                    + ", keys=" + Arrays.toString(keys) + ", digests=" + Arrays.toString(digests) + "]";
        }
    }

    private static void requireU8(int value, String name) {
        if ((value & ~0xFF) != 0) {
            throw new IllegalArgumentException(name + " does not fit a byte: " + value);
        }
    }

    private static void requireNode(long node, String name) {
        if (!NodeAddress.isValid(node)) {
            throw new IllegalArgumentException(name + " is not a 48-bit MAC: " + node);
        }
    }
}
