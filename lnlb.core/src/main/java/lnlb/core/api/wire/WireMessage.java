package lnlb.core.api.wire;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import lnlb.core.api.NodeAddress;
import lnlb.core.internal.wire.ClusterMessage;
import lnlb.core.internal.wire.ClusterMessage.AskRetransmit;
import lnlb.core.internal.wire.ClusterMessage.Commit;
import lnlb.core.internal.wire.ClusterMessage.Committed;
import lnlb.core.internal.wire.ClusterMessage.Conntrack;
import lnlb.core.internal.wire.ClusterMessage.Heartbeat;
import lnlb.core.internal.wire.ClusterMessage.Join;
import lnlb.core.internal.wire.ClusterMessage.Leave;
import lnlb.core.internal.wire.ClusterMessage.Prepare;
import lnlb.core.internal.wire.ClusterMessage.Prepared;
import lnlb.core.internal.wire.ClusterMessage.Retransmit;
import lnlb.core.internal.wire.ClusterMessage.Welcome;
import lnlb.core.internal.wire.MessageCodec;
import lnlb.core.internal.wire.View;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One cluster message (the body a frame carries), built by the factory of its type or decoded from
 * a body. Values are checked as the engine checks them: a factory refuses what does not fit its
 * wire field (a MAC above 48 bits, a u8 above 255, more than 65535 members), and {@link #decode}
 * accepts exactly the bodies a node accepts. Immutable; arrays are copied in and out.
 *
 * <p>Field accessors answer for the types whose body carries the field (named on each) and throw
 * {@link IllegalStateException} for the others. Equal messages have equal bodies.
 */
@ProviderType
public final class WireMessage {
    public static final int JOIN = ClusterMessage.JOIN;
    public static final int WELCOME = ClusterMessage.WELCOME;
    public static final int HEARTBEAT = ClusterMessage.HEARTBEAT;
    public static final int ASK_RETRANSMIT = ClusterMessage.ASK_RETRANSMIT;
    public static final int RETRANSMIT = ClusterMessage.RETRANSMIT;
    public static final int LEAVE = ClusterMessage.LEAVE;
    public static final int CONNTRACK = ClusterMessage.CONNTRACK;
    public static final int PREPARE = ClusterMessage.PREPARE;
    public static final int PREPARED = ClusterMessage.PREPARED;
    public static final int COMMIT = ClusterMessage.COMMIT;
    public static final int COMMITTED = ClusterMessage.COMMITTED;
    /** The lowest and highest type numbers this version knows. */
    public static final int MIN_TYPE = ClusterMessage.MIN_TYPE;
    public static final int MAX_TYPE = ClusterMessage.MAX_TYPE;

    /** One member of a view (WELCOME, PREPARE, COMMIT): a node address and its weight (u32). */
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

    final ClusterMessage message;

    WireMessage(ClusterMessage message) {
        this.message = Objects.requireNonNull(message);
    }

    // ------------------------------------------------------------------ factories, one per type

    public static WireMessage join(int weight) {
        return new WireMessage(new Join(weight));
    }

    /** A WELCOME to {@code joiner} with the view it joins and the protocol slots whose CONNTRACK dumps follow. */
    public static WireMessage welcome(long joiner, long epoch, List<Member> members, int... protocols) {
        return new WireMessage(new Welcome(joiner, view(epoch, members), protocols.clone()));
    }

    public static WireMessage heartbeat(long epoch, int weight, int state) {
        return new WireMessage(new Heartbeat(epoch, weight, state));
    }

    public static WireMessage askRetransmit(long target, long epoch) {
        return new WireMessage(new AskRetransmit(target, epoch));
    }

    public static WireMessage retransmit(long epoch, int weight, int state) {
        return new WireMessage(new Retransmit(epoch, weight, state));
    }

    public static WireMessage leave() {
        return new WireMessage(new Leave());
    }

    /** One protocol module's saved state for {@code joiner}. */
    public static WireMessage conntrack(long joiner, int protocol, byte[] state) {
        return new WireMessage(new Conntrack(joiner, protocol, state.clone()));
    }

    public static WireMessage prepare(long epoch, List<Member> members) {
        return new WireMessage(new Prepare(view(epoch, members)));
    }

    public static WireMessage prepared(long epoch) {
        return new WireMessage(new Prepared(epoch));
    }

    public static WireMessage commit(long epoch, List<Member> members) {
        return new WireMessage(new Commit(view(epoch, members)));
    }

    /** A COMMITTED report; {@code slots}, {@code keys} and {@code digests} run in parallel. */
    public static WireMessage committed(long epoch, boolean overflow, int[] slots, long[] keys, long[] digests) {
        return new WireMessage(new Committed(epoch, overflow, slots.clone(), keys.clone(), digests.clone()));
    }

    private static View view(long epoch, List<Member> members) {
        return new View(epoch, members.stream().map(m -> new View.Member(m.node(), m.weight())).toList());
    }

    // ------------------------------------------------------------------ bodies

    /**
     * The message a node would make of a body of {@code type}: {@code length} bytes of {@code src}
     * from the absolute index {@code offset} (network order whatever the buffer's order; the buffer
     * does not move); null when the type is unknown, the range lies outside the buffer's limit, or
     * the bytes are not exactly one well-formed body. Never throws.
     */
    public static WireMessage decode(int type, ByteBuffer src, int offset, int length) {
        ClusterMessage decoded = MessageCodec.decode(type, src, offset, length);
        return decoded == null ? null : new WireMessage(decoded);
    }

    /** {@link #decode(int, ByteBuffer, int, int)} of a whole array. */
    public static WireMessage decode(int type, byte[] body) {
        return decode(type, ByteBuffer.wrap(body), 0, body.length);
    }

    /** The body as a node encodes it, in a new array. */
    public byte[] body() {
        return MessageCodec.encode(message);
    }

    /** The body's length in bytes, computed without encoding it. */
    public long bodyLength() {
        return MessageCodec.bodyLength(message);
    }

    /** The type number carried in the frame header ({@link #JOIN} ... {@link #COMMITTED}). */
    public int type() {
        return message.type();
    }

    /** True for a type number this version knows. */
    public static boolean isKnownType(int type) {
        return ClusterMessage.isKnownType(type);
    }

    /** The type's name, e.g. {@code HEARTBEAT}, or {@code TYPE_42} for an unknown one. */
    public static String typeName(int type) {
        return ClusterMessage.typeName(type);
    }

    // ------------------------------------------------------------------ fields

    /** JOIN, HEARTBEAT, RETRANSMIT: the sender's weight (u32). */
    public int weight() {
        if (message instanceof Join j) {
            return j.weight();
        } else if (message instanceof Heartbeat h) {
            return h.weight();
        } else if (message instanceof Retransmit r) {
            return r.weight();
        }
        throw noField("weight");
    }

    /** HEARTBEAT, ASK_RETRANSMIT, RETRANSMIT, PREPARED, COMMITTED: the epoch; WELCOME, PREPARE, COMMIT: the view's. */
    public long epoch() {
        if (message instanceof Heartbeat h) {
            return h.epoch();
        } else if (message instanceof AskRetransmit a) {
            return a.epoch();
        } else if (message instanceof Retransmit r) {
            return r.epoch();
        } else if (message instanceof Prepared p) {
            return p.epoch();
        } else if (message instanceof Committed c) {
            return c.epoch();
        }
        return view("epoch").epoch();
    }

    /** HEARTBEAT, RETRANSMIT: the sender's state (u8). */
    public int state() {
        if (message instanceof Heartbeat h) {
            return h.state();
        } else if (message instanceof Retransmit r) {
            return r.state();
        }
        throw noField("state");
    }

    /** WELCOME, CONNTRACK: the joiner; ASK_RETRANSMIT: the node asked to repeat. */
    public long node() {
        if (message instanceof Welcome w) {
            return w.joiner();
        } else if (message instanceof Conntrack c) {
            return c.joiner();
        } else if (message instanceof AskRetransmit a) {
            return a.target();
        }
        throw noField("node");
    }

    /** WELCOME, PREPARE, COMMIT: the view's members, in wire order. */
    public List<Member> members() {
        return view("members").members().stream().map(m -> new Member(m.node(), m.weight())).toList();
    }

    /** WELCOME: the protocol slots whose CONNTRACK dumps follow. */
    public int[] protocols() {
        if (message instanceof Welcome w) {
            return w.protocols().clone();
        }
        throw noField("protocols");
    }

    /** CONNTRACK: the protocol slot (u8). */
    public int protocol() {
        if (message instanceof Conntrack c) {
            return c.protocol();
        }
        throw noField("protocol");
    }

    /** CONNTRACK: the module's saved state. */
    public byte[] stateBytes() {
        if (message instanceof Conntrack c) {
            return c.state().clone();
        }
        throw noField("stateBytes");
    }

    /** COMMITTED: whether the report overflowed. */
    public boolean overflow() {
        return committed("overflow").overflow();
    }

    /** COMMITTED: the slots of the reported keys. */
    public int[] slots() {
        return committed("slots").slots().clone();
    }

    /** COMMITTED: the reported keys. */
    public long[] keys() {
        return committed("keys").keys().clone();
    }

    /** COMMITTED: the digests of the keys' last racing datagrams. */
    public long[] digests() {
        return committed("digests").digests().clone();
    }

    private View view(String field) {
        if (message instanceof Welcome w) {
            return w.view();
        } else if (message instanceof Prepare p) {
            return p.view();
        } else if (message instanceof Commit c) {
            return c.view();
        }
        throw noField(field);
    }

    private Committed committed(String field) {
        if (message instanceof Committed c) {
            return c;
        }
        throw noField(field);
    }

    private IllegalStateException noField(String field) {
        return new IllegalStateException(typeName(type()) + " carries no " + field);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireMessage m && m.message.equals(message);
    }

    @Override
    public int hashCode() {
        return message.hashCode();
    }

    @Override
    public String toString() {
        return message.toString();
    }
}
