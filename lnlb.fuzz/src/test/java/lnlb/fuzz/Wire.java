package lnlb.fuzz;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.wire.FrameAuthenticator;
import lnlb.core.api.wire.FrameHeader;
import lnlb.core.api.wire.FrameWriter;
import lnlb.core.api.wire.WireMessage;
import lnlb.core.api.wire.WireMessage.Member;

/**
 * Cluster-protocol vocabulary for the harnesses: the fuzzed cluster's VIP, keys and nodes, well-formed
 * messages built from fuzzer choices, and their frames as a real sender writes them. Structured
 * inputs get past the CRC and the MAC that random bytes would almost never satisfy, so the fuzzer
 * spends its time on reassembly, decoding and the engine's reactions instead of on checksums.
 */
final class Wire {
    static final InetAddress VIP = address(new byte[] {10, 0, 0, 100});
    static final byte[] VIP16 = FrameHeader.vipBytes(VIP);
    static final long CLUSTER_MAC = NodeAddress.unicastClusterMac(VIP);
    static final byte[] KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final String KEY_HEX = HexFormat.of().formatHex(KEY);
    static final byte[] WRONG_KEY = HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    /** The fuzzed node. */
    static final long SELF = 0x02_00_00_00_00_10L;
    /** Nodes a fuzzer picks with one byte: this node, two peers above it, one below it (it would lead), a client. */
    static final long[] NODES = {SELF, 0x02_00_00_00_00_11L, 0x02_00_00_00_00_12L, 0x02_00_00_00_00_01L,
        0x0A_00_00_00_00_01L};

    private Wire() {
    }

    static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** One of {@link #NODES} for most bytes, any 48-bit address for the rest. */
    static long node(FuzzInput in) {
        int pick = in.u8();
        return pick < 0xF0 ? NODES[pick % NODES.length] : in.i64() & 0xFFFF_FFFF_FFFFL;
    }

    /** Mostly small (epochs and weights the engine compares with its own), sometimes any. */
    static long smallOrAny(FuzzInput in) {
        int pick = in.u8();
        return pick < 0xF0 ? pick : in.i64();
    }

    /** A well-formed message of a fuzzer-chosen type. */
    static WireMessage message(FuzzInput in) {
        int type = WireMessage.MIN_TYPE + in.below(WireMessage.MAX_TYPE);
        switch (type) {
            case WireMessage.JOIN:
                return WireMessage.join((int) smallOrAny(in));
            case WireMessage.WELCOME: {
                long joiner = node(in);
                long epoch = smallOrAny(in);
                List<Member> members = members(in);
                int[] protocols = new int[in.below(4)];
                for (int i = 0; i < protocols.length; i++) {
                    protocols[i] = in.u8();
                }
                return WireMessage.welcome(joiner, epoch, members, protocols);
            }
            case WireMessage.HEARTBEAT:
                return WireMessage.heartbeat(smallOrAny(in), (int) smallOrAny(in), in.u8());
            case WireMessage.ASK_RETRANSMIT:
                return WireMessage.askRetransmit(node(in), smallOrAny(in));
            case WireMessage.RETRANSMIT:
                return WireMessage.retransmit(smallOrAny(in), (int) smallOrAny(in), in.u8());
            case WireMessage.LEAVE:
                return WireMessage.leave();
            case WireMessage.CONNTRACK:
                return WireMessage.conntrack(node(in), in.u8(), in.blob(4096));
            case WireMessage.PREPARE: {
                long epoch = smallOrAny(in);
                return WireMessage.prepare(epoch, members(in));
            }
            case WireMessage.PREPARED:
                return WireMessage.prepared(smallOrAny(in));
            case WireMessage.COMMIT: {
                long epoch = smallOrAny(in);
                return WireMessage.commit(epoch, members(in));
            }
            default: {
                long epoch = smallOrAny(in);
                boolean overflow = in.bool();
                int n = in.below(8);
                int[] slots = new int[n];
                long[] keys = new long[n];
                long[] digests = new long[n];
                for (int i = 0; i < n; i++) {
                    slots[i] = in.u8();
                    keys[i] = smallOrAny(in);
                    digests[i] = in.i64();
                }
                return WireMessage.committed(epoch, overflow, slots, keys, digests);
            }
        }
    }

    /** A view's members (its epoch is read just before). */
    static List<Member> members(FuzzInput in) {
        int count = in.below(6);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add(new Member(node(in), (int) smallOrAny(in)));
        }
        return members;
    }

    // ------------------------------------------------------------ the same choices, written (seeds)

    static void writeNode(FuzzInput.Writer w, long node) {
        for (int i = 0; i < NODES.length; i++) {
            if (NODES[i] == node) {
                w.u8(i);
                return;
            }
        }
        w.u8(0xFF).i64(node);
    }

    static void writeSmallOrAny(FuzzInput.Writer w, long value) {
        if (value >= 0 && value < 0xF0) {
            w.u8((int) value);
        } else {
            w.u8(0xFF).i64(value);
        }
    }

    /** The bytes {@link #message} reads to build {@code m}. */
    static FuzzInput.Writer writeMessage(FuzzInput.Writer w, WireMessage m) {
        w.u8(m.type() - WireMessage.MIN_TYPE);
        switch (m.type()) {
            case WireMessage.JOIN -> writeSmallOrAny(w, m.weight());
            case WireMessage.WELCOME -> {
                writeNode(w, m.node());
                writeView(w, m);
                w.u8(m.protocols().length);
                for (int p : m.protocols()) {
                    w.u8(p);
                }
            }
            case WireMessage.HEARTBEAT, WireMessage.RETRANSMIT -> {
                writeSmallOrAny(w, m.epoch());
                writeSmallOrAny(w, m.weight());
                w.u8(m.state());
            }
            case WireMessage.ASK_RETRANSMIT -> {
                writeNode(w, m.node());
                writeSmallOrAny(w, m.epoch());
            }
            case WireMessage.CONNTRACK -> {
                writeNode(w, m.node());
                w.u8(m.protocol()).blob(m.stateBytes());
            }
            case WireMessage.PREPARE, WireMessage.COMMIT -> writeView(w, m);
            case WireMessage.PREPARED -> writeSmallOrAny(w, m.epoch());
            case WireMessage.COMMITTED -> {
                writeSmallOrAny(w, m.epoch());
                w.u8(m.overflow() ? 1 : 0).u8(m.slots().length);
                for (int i = 0; i < m.slots().length; i++) {
                    w.u8(m.slots()[i]);
                    writeSmallOrAny(w, m.keys()[i]);
                    w.i64(m.digests()[i]);
                }
            }
            default -> { } // LEAVE: no field
        }
        return w;
    }

    /** The view of a WELCOME, PREPARE or COMMIT, as {@link #message} reads it. */
    static void writeView(FuzzInput.Writer w, WireMessage m) {
        writeSmallOrAny(w, m.epoch());
        w.u8(m.members().size());
        for (Member member : m.members()) {
            writeNode(w, member.node());
            writeSmallOrAny(w, member.weight());
        }
    }

    /** A sender's authenticator with a fixed wall clock, so the counters it writes are reproducible. */
    static FrameAuthenticator sealer(byte[] key) {
        return FrameAuthenticator.of(key, () -> 1L);
    }

    /** The frames a node with this MTU and sealer sends for {@code message}, each copied out. */
    static List<byte[]> frames(WireMessage message, int mtu, FrameAuthenticator sealer, long source, int messageId) {
        // A sealed frame needs room for the header, one byte of slice and the trailer.
        int least = FrameHeader.HEADER_LENGTH + FrameHeader.TRAILER_LENGTH + 1;
        FrameWriter writer = new FrameWriter(VIP16, sealer != null ? Math.max(mtu, least) : mtu, 64 << 20);
        return writer.sealWith(sealer).frames(message, source, CLUSTER_MAC, messageId);
    }

    /**
     * A single frame whose every header field the fuzzer chooses (type, flags, fragment fields,
     * lengths), over a fuzzer-chosen slice; the Ethernet type, version and VIP are right unless the
     * fuzzer asks otherwise, and the CRC is that of the slice when it asks for it.
     */
    static byte[] headerFrame(FuzzInput in) {
        int control = in.u8();
        long source = node(in);
        int type = in.u8() % 16;
        int flags = in.u8() % 4;
        int messageId = in.u8();
        int index = in.u16();
        int count = in.u16();
        byte[] slice = in.blob(2048);
        long total = (control & 1) != 0 ? slice.length : in.i32() & 0xFFFF_FFFFL;
        int sliceLength = (control & 2) != 0 ? slice.length : in.u16();
        ByteBuffer frame = ByteBuffer.allocate(FrameHeader.FRAME_HEADER_LENGTH + slice.length);
        NodeAddress.write(frame, FrameHeader.DESTINATION_OFFSET, CLUSTER_MAC);
        NodeAddress.write(frame, FrameHeader.SOURCE_OFFSET, source);
        frame.putShort(FrameHeader.ETHERTYPE_OFFSET, (short) ((control & 4) != 0 ? in.u16() : FrameHeader.ETHERTYPE));
        frame.put(FrameHeader.VERSION_OFFSET, (byte) ((control & 8) != 0 ? in.u8() : FrameHeader.VERSION));
        frame.put(FrameHeader.TYPE_OFFSET, (byte) type);
        frame.putShort(FrameHeader.FLAGS_OFFSET, (short) flags);
        frame.put(FrameHeader.VIP_OFFSET, (control & 16) != 0 ? new byte[16] : VIP16);
        frame.putInt(FrameHeader.MESSAGE_ID_OFFSET, messageId);
        frame.putShort(FrameHeader.FRAGMENT_INDEX_OFFSET, (short) index);
        frame.putShort(FrameHeader.FRAGMENT_COUNT_OFFSET, (short) count);
        frame.putInt(FrameHeader.TOTAL_LENGTH_OFFSET, (int) total);
        CRC32 crc = new CRC32();
        crc.update(slice);
        frame.putInt(FrameHeader.CRC_OFFSET, (control & 32) != 0 ? in.i32() : (int) crc.getValue());
        frame.putShort(FrameHeader.SLICE_LENGTH_OFFSET, (short) sliceLength);
        frame.put(FrameHeader.SLICE_OFFSET, slice);
        return frame.array();
    }

    /** Copies {@code frame} into a fuzzer-shaped buffer (order, heap or direct, junk around it) and returns its offset. */
    static ByteBuffer place(byte[] frame, int before, int after, boolean littleEndian, boolean direct) {
        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(before + frame.length + after)
                : ByteBuffer.allocate(before + frame.length + after);
        for (int i = 0; i < before; i++) {
            buffer.put(i, (byte) 0xA5);
        }
        buffer.put(before, frame);
        for (int i = 0; i < after; i++) {
            buffer.put(before + frame.length + i, (byte) 0x5A);
        }
        buffer.order(littleEndian ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        return buffer;
    }
}
