package lnlb.core.internal.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import lnlb.core.api.NodeAddress;
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

/**
 * Message bodies to bytes and back; the layouts are documented on each {@link ClusterMessage}
 * record. Reads and writes use absolute indexes and never move a buffer's position or limit, and
 * use network order whatever the buffer's {@link ByteBuffer#order()}.
 * {@link #decode} validates every length before reading and returns {@code null} for any body that
 * is not exactly one well-formed message of the given type; it never throws.
 */
public final class MessageCodec {
    private static final int MAC = 6;
    private static final int MEMBER = MAC + 4 + 1;
    private static final int COMMITTED_ENTRY = 1 + 8 + 8;
    private static final Leave LEAVE = new Leave();

    private MessageCodec() {
    }

    /** The number of body bytes {@link #encode} writes for {@code message}. */
    public static long bodyLength(ClusterMessage message) {
        switch (message.type()) {
            case ClusterMessage.JOIN: return 8;
            case ClusterMessage.WELCOME: {
                Welcome w = (Welcome) message;
                return MAC + viewLength(w.view()) + 2 + w.protocols().length;
            }
            case ClusterMessage.HEARTBEAT:
            case ClusterMessage.RETRANSMIT: return 8 + 4 + 1 + 1 + 4;
            case ClusterMessage.ASK_RETRANSMIT: return MAC + 8;
            case ClusterMessage.LEAVE: return 0;
            case ClusterMessage.CONNTRACK: return MAC + 1 + 4 + (long) ((Conntrack) message).state().length;
            case ClusterMessage.PREPARE: return viewLength(((Prepare) message).view());
            case ClusterMessage.COMMIT: return viewLength(((Commit) message).view());
            case ClusterMessage.PREPARED: return 8;
            case ClusterMessage.COMMITTED: return 8 + 1 + 4 + (long) COMMITTED_ENTRY * ((Committed) message).slots().length;
            default: throw new IllegalArgumentException("unknown message type " + message.type());
        }
    }

    /** The body of {@code message} in a new array. */
    public static byte[] encode(ClusterMessage message) {
        long length = bodyLength(message);
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("message body too long: " + length);
        }
        byte[] body = new byte[(int) length];
        encode(message, ByteBuffer.wrap(body), 0);
        return body;
    }

    /**
     * Writes the body of {@code message} at {@code offset}; returns the number of bytes written,
     * {@link #bodyLength}. The buffer must have room up to its limit.
     */
    public static int encode(ClusterMessage message, ByteBuffer buffer, int offset) {
        ByteBuffer dst = networkOrder(buffer);
        int p = offset;
        switch (message.type()) {
            case ClusterMessage.JOIN:
                dst.putInt(p, ((Join) message).weight());
                dst.putInt(p + 4, ((Join) message).rules());
                p += 8;
                break;
            case ClusterMessage.WELCOME: {
                Welcome w = (Welcome) message;
                NodeAddress.write(dst, p, w.joiner());
                p = writeView(dst, p + MAC, w.view());
                dst.putShort(p, (short) w.protocols().length);
                p += 2;
                for (int protocol : w.protocols()) {
                    dst.put(p++, (byte) protocol);
                }
                break;
            }
            case ClusterMessage.HEARTBEAT: {
                Heartbeat h = (Heartbeat) message;
                p = writeBeat(dst, p, h.epoch(), h.weight(), h.state(), h.flags(), h.rules());
                break;
            }
            case ClusterMessage.RETRANSMIT: {
                Retransmit r = (Retransmit) message;
                p = writeBeat(dst, p, r.epoch(), r.weight(), r.state(), r.flags(), r.rules());
                break;
            }
            case ClusterMessage.ASK_RETRANSMIT: {
                AskRetransmit a = (AskRetransmit) message;
                NodeAddress.write(dst, p, a.target());
                dst.putLong(p + MAC, a.epoch());
                p += MAC + 8;
                break;
            }
            case ClusterMessage.LEAVE:
                break;
            case ClusterMessage.CONNTRACK: {
                Conntrack c = (Conntrack) message;
                NodeAddress.write(dst, p, c.joiner());
                dst.put(p + MAC, (byte) c.protocol());
                dst.putInt(p + MAC + 1, c.state().length);
                p += MAC + 1 + 4;
                dst.put(p, c.state());
                p += c.state().length;
                break;
            }
            case ClusterMessage.PREPARE:
                p = writeView(dst, p, ((Prepare) message).view());
                break;
            case ClusterMessage.COMMIT:
                p = writeView(dst, p, ((Commit) message).view());
                break;
            case ClusterMessage.PREPARED:
                dst.putLong(p, ((Prepared) message).epoch());
                p += 8;
                break;
            case ClusterMessage.COMMITTED:
                p = writeCommitted(dst, p, (Committed) message);
                break;
            default:
                throw new IllegalArgumentException("unknown message type " + message.type());
        }
        return p - offset;
    }

    /**
     * Decodes a body of {@code length} bytes at {@code offset} as a message of {@code type};
     * {@code null} when the type is unknown, the range lies outside the buffer's limit, or the
     * bytes are not exactly one well-formed body (short, lying inner lengths, trailing bytes, a
     * boolean that is neither 0 nor 1).
     */
    public static ClusterMessage decode(int type, ByteBuffer src, int offset, int length) {
        if (src == null || offset < 0 || length < 0 || offset > src.limit() - length) {
            return null;
        }
        Reader in = new Reader(networkOrder(src), offset, offset + length);
        ClusterMessage message = read(type, in);
        return in.done() ? message : null;
    }

    /** Reads one body; may return garbage (or null) when {@code in} went bad: the caller checks. */
    private static ClusterMessage read(int type, Reader in) {
        switch (type) {
            case ClusterMessage.JOIN:
                return new Join(in.u32(), in.u32());
            case ClusterMessage.WELCOME: {
                long joiner = in.mac();
                View view = readView(in);
                int count = in.u16();
                if (view == null || !in.require(count)) {
                    return null;
                }
                int[] protocols = new int[count];
                for (int i = 0; i < count; i++) {
                    protocols[i] = in.u8();
                }
                return new Welcome(joiner, view, protocols);
            }
            case ClusterMessage.HEARTBEAT:
                return new Heartbeat(in.u64(), in.u32(), in.u8(), in.u8(), in.u32());
            case ClusterMessage.RETRANSMIT:
                return new Retransmit(in.u64(), in.u32(), in.u8(), in.u8(), in.u32());
            case ClusterMessage.ASK_RETRANSMIT:
                return new AskRetransmit(in.mac(), in.u64());
            case ClusterMessage.LEAVE:
                return LEAVE;
            case ClusterMessage.CONNTRACK: {
                long joiner = in.mac();
                int protocol = in.u8();
                long length = in.u32() & 0xFFFF_FFFFL;
                return in.require(length) ? new Conntrack(joiner, protocol, in.bytes((int) length)) : null;
            }
            case ClusterMessage.PREPARE: {
                View view = readView(in);
                return view == null ? null : new Prepare(view);
            }
            case ClusterMessage.COMMIT: {
                View view = readView(in);
                return view == null ? null : new Commit(view);
            }
            case ClusterMessage.PREPARED:
                return new Prepared(in.u64());
            case ClusterMessage.COMMITTED:
                return readCommitted(in);
            default:
                in.fail();
                return null;
        }
    }

    /** The buffer itself, or a big-endian twin over the same bytes (the uncommon case). */
    private static ByteBuffer networkOrder(ByteBuffer buffer) {
        return buffer.order() == ByteOrder.BIG_ENDIAN ? buffer : buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
    }

    private static long viewLength(View view) {
        return 8 + 2 + (long) MEMBER * view.members().size() + 2 + view.rulesBytes().length;
    }

    private static int writeView(ByteBuffer dst, int p, View view) {
        List<View.Member> members = view.members();
        dst.putLong(p, view.epoch());
        dst.putShort(p + 8, (short) members.size());
        p += 8 + 2;
        for (View.Member member : members) {
            NodeAddress.write(dst, p, member.node());
            dst.putInt(p + MAC, member.weight());
            dst.put(p + MAC + 4, (byte) (member.draining() ? View.Member.DRAINING : 0));
            p += MEMBER;
        }
        byte[] rules = view.rulesBytes();
        dst.putShort(p, (short) rules.length);
        dst.put(p + 2, rules);
        return p + 2 + rules.length;
    }

    private static View readView(Reader in) {
        long epoch = in.u64();
        int count = in.u16();
        if (!in.require((long) MEMBER * count)) {
            return null;
        }
        List<View.Member> members = new ArrayList<>(count);
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            long node = in.mac();
            if (!seen.add(node)) {
                return null; // a view names each node once (found by fuzzing the engine)
            }
            int weight = in.u32();
            int flags = in.u8();
            if ((flags & ~View.Member.DRAINING) != 0) {
                return null;
            }
            members.add(new View.Member(node, weight, flags != 0));
        }
        int rulesLength = in.u16();
        if (!in.require(rulesLength)) {
            return null;
        }
        String rules = new String(in.bytes(rulesLength), java.nio.charset.StandardCharsets.UTF_8);
        return new View(epoch, members, rules);
    }

    private static int writeBeat(ByteBuffer dst, int p, long epoch, int weight, int state, int flags, int rules) {
        dst.putLong(p, epoch);
        dst.putInt(p + 8, weight);
        dst.put(p + 12, (byte) state);
        dst.put(p + 13, (byte) flags);
        dst.putInt(p + 14, rules);
        return p + 18;
    }

    private static int writeCommitted(ByteBuffer dst, int p, Committed c) {
        int[] slots = c.slots();
        long[] keys = c.keys();
        dst.putLong(p, c.epoch());
        dst.put(p + 8, (byte) (c.overflow() ? 1 : 0));
        dst.putInt(p + 9, slots.length);
        p += 13;
        for (int i = 0; i < slots.length; i++) {
            dst.put(p, (byte) slots[i]);
            dst.putLong(p + 1, keys[i]);
            dst.putLong(p + 9, c.digests()[i]);
            p += COMMITTED_ENTRY;
        }
        return p;
    }

    private static Committed readCommitted(Reader in) {
        long epoch = in.u64();
        int overflow = in.u8();
        long count = in.u32() & 0xFFFF_FFFFL;
        if (overflow > 1 || !in.require(COMMITTED_ENTRY * count)) {
            return null;
        }
        int[] slots = new int[(int) count];
        long[] keys = new long[(int) count];
        long[] digests = new long[(int) count];
        for (int i = 0; i < count; i++) {
            slots[i] = in.u8();
            keys[i] = in.u64();
            digests[i] = in.u64();
        }
        return new Committed(epoch, overflow == 1, slots, keys, digests);
    }

    /**
     * A cursor over {@code [pos, end)} reading at absolute indexes. A read past {@code end} marks
     * the reader bad and returns 0, so a body is parsed straight through and judged once by
     * {@link #done()}; arrays are allocated only after {@link #require} vouched for their size.
     */
    private static final class Reader {
        private final ByteBuffer buf;
        private final int end;
        private int pos;
        private boolean bad;

        Reader(ByteBuffer buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        /** True when {@code n} more bytes are there; otherwise marks the reader bad. */
        boolean require(long n) {
            if (bad || n < 0 || n > end - pos) {
                bad = true;
                return false;
            }
            return true;
        }

        void fail() {
            bad = true;
        }

        /** True when every read succeeded and the body was consumed exactly. */
        boolean done() {
            return !bad && pos == end;
        }

        int u8() {
            return require(1) ? buf.get(pos++) & 0xFF : 0;
        }

        int u16() {
            if (!require(2)) {
                return 0;
            }
            int v = buf.getShort(pos) & 0xFFFF;
            pos += 2;
            return v;
        }

        int u32() {
            if (!require(4)) {
                return 0;
            }
            int v = buf.getInt(pos);
            pos += 4;
            return v;
        }

        long u64() {
            if (!require(8)) {
                return 0;
            }
            long v = buf.getLong(pos);
            pos += 8;
            return v;
        }

        long mac() {
            if (!require(MAC)) {
                return 0;
            }
            long v = NodeAddress.read(buf, pos);
            pos += MAC;
            return v;
        }

        byte[] bytes(int n) {
            byte[] out = new byte[n];
            buf.get(pos, out, 0, n);
            pos += n;
            return out;
        }
    }
}
