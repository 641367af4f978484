package lnlb.fuzz;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import lnlb.core.api.NodeAddress;
import lnlb.core.internal.wire.ClusterHeader;
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
import lnlb.core.internal.wire.Fragmenter;
import lnlb.core.internal.wire.MessageAuthenticator;
import lnlb.core.internal.wire.View;

/**
 * Cluster-protocol vocabulary for the harnesses: the fuzzed cluster's VIP, keys and nodes, well-formed
 * messages built from fuzzer choices, and their frames as a real sender writes them. Structured
 * inputs get past the CRC and the MAC that random bytes would almost never satisfy, so the fuzzer
 * spends its time on reassembly, decoding and the engine's reactions instead of on checksums.
 */
final class Wire {
    static final InetAddress VIP = address(new byte[] {10, 0, 0, 100});
    static final byte[] VIP16 = ClusterHeader.vipBytes(VIP);
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
    static ClusterMessage message(FuzzInput in) {
        int type = ClusterMessage.MIN_TYPE + in.below(ClusterMessage.MAX_TYPE);
        switch (type) {
            case ClusterMessage.JOIN:
                return new Join((int) smallOrAny(in));
            case ClusterMessage.WELCOME: {
                long joiner = node(in);
                View view = view(in);
                int[] protocols = new int[in.below(4)];
                for (int i = 0; i < protocols.length; i++) {
                    protocols[i] = in.u8();
                }
                return new Welcome(joiner, view, protocols);
            }
            case ClusterMessage.HEARTBEAT:
                return new Heartbeat(smallOrAny(in), (int) smallOrAny(in), in.u8());
            case ClusterMessage.ASK_RETRANSMIT:
                return new AskRetransmit(node(in), smallOrAny(in));
            case ClusterMessage.RETRANSMIT:
                return new Retransmit(smallOrAny(in), (int) smallOrAny(in), in.u8());
            case ClusterMessage.LEAVE:
                return new Leave();
            case ClusterMessage.CONNTRACK:
                return new Conntrack(node(in), in.u8(), in.blob(4096));
            case ClusterMessage.PREPARE:
                return new Prepare(view(in));
            case ClusterMessage.PREPARED:
                return new Prepared(smallOrAny(in));
            case ClusterMessage.COMMIT:
                return new Commit(view(in));
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
                return new Committed(epoch, overflow, slots, keys, digests);
            }
        }
    }

    static View view(FuzzInput in) {
        long epoch = smallOrAny(in);
        int count = in.below(6);
        List<View.Member> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add(new View.Member(node(in), (int) smallOrAny(in)));
        }
        return new View(epoch, members);
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
    static FuzzInput.Writer writeMessage(FuzzInput.Writer w, ClusterMessage m) {
        w.u8(m.type() - ClusterMessage.MIN_TYPE);
        if (m instanceof Join j) {
            writeSmallOrAny(w, j.weight());
        } else if (m instanceof Welcome welcome) {
            writeNode(w, welcome.joiner());
            writeView(w, welcome.view());
            w.u8(welcome.protocols().length);
            for (int p : welcome.protocols()) {
                w.u8(p);
            }
        } else if (m instanceof Heartbeat h) {
            writeSmallOrAny(w, h.epoch());
            writeSmallOrAny(w, h.weight());
            w.u8(h.state());
        } else if (m instanceof AskRetransmit a) {
            writeNode(w, a.target());
            writeSmallOrAny(w, a.epoch());
        } else if (m instanceof Retransmit r) {
            writeSmallOrAny(w, r.epoch());
            writeSmallOrAny(w, r.weight());
            w.u8(r.state());
        } else if (m instanceof Conntrack c) {
            writeNode(w, c.joiner());
            w.u8(c.protocol()).blob(c.state());
        } else if (m instanceof Prepare p) {
            writeView(w, p.view());
        } else if (m instanceof Prepared p) {
            writeSmallOrAny(w, p.epoch());
        } else if (m instanceof Commit c) {
            writeView(w, c.view());
        } else if (m instanceof Committed c) {
            writeSmallOrAny(w, c.epoch());
            w.u8(c.overflow() ? 1 : 0).u8(c.slots().length);
            for (int i = 0; i < c.slots().length; i++) {
                w.u8(c.slots()[i]);
                writeSmallOrAny(w, c.keys()[i]);
                w.i64(c.digests()[i]);
            }
        }
        return w;
    }

    static void writeView(FuzzInput.Writer w, View view) {
        writeSmallOrAny(w, view.epoch());
        w.u8(view.members().size());
        for (View.Member member : view.members()) {
            writeNode(w, member.node());
            writeSmallOrAny(w, member.weight());
        }
    }

    /** A sender's authenticator with a fixed wall clock, so the counters it writes are reproducible. */
    static MessageAuthenticator sealer(byte[] key) {
        return new MessageAuthenticator(key, null, 0, () -> 1L);
    }

    /** The frames a node with this MTU and sealer sends for {@code message}, each copied out. */
    static List<byte[]> frames(ClusterMessage message, int mtu, MessageAuthenticator sealer, long source, int messageId) {
        // A sealed frame needs room for the header, one byte of slice and the trailer.
        int least = ClusterHeader.HEADER_LENGTH + MessageAuthenticator.TRAILER_LENGTH + 1;
        Fragmenter fragmenter = new Fragmenter(sealer != null ? Math.max(mtu, least) : mtu, 64 << 20);
        fragmenter.setAuthenticator(sealer);
        List<byte[]> frames = new ArrayList<>();
        fragmenter.send(message, VIP16, source, CLUSTER_MAC, messageId, frame -> {
            byte[] copy = new byte[frame.remaining()];
            frame.get(frame.position(), copy);
            frames.add(copy);
        });
        return frames;
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
        ByteBuffer frame = ByteBuffer.allocate(ClusterHeader.FRAME_HEADER_LENGTH + slice.length);
        NodeAddress.write(frame, ClusterHeader.DESTINATION_OFFSET, CLUSTER_MAC);
        NodeAddress.write(frame, ClusterHeader.SOURCE_OFFSET, source);
        frame.putShort(ClusterHeader.ETHERTYPE_OFFSET, (short) ((control & 4) != 0 ? in.u16() : ClusterHeader.ETHERTYPE));
        frame.put(ClusterHeader.VERSION_OFFSET, (byte) ((control & 8) != 0 ? in.u8() : ClusterHeader.VERSION));
        frame.put(ClusterHeader.TYPE_OFFSET, (byte) type);
        frame.putShort(ClusterHeader.FLAGS_OFFSET, (short) flags);
        frame.put(ClusterHeader.VIP_OFFSET, (control & 16) != 0 ? new byte[16] : VIP16);
        frame.putInt(ClusterHeader.MESSAGE_ID_OFFSET, messageId);
        frame.putShort(ClusterHeader.FRAGMENT_INDEX_OFFSET, (short) index);
        frame.putShort(ClusterHeader.FRAGMENT_COUNT_OFFSET, (short) count);
        frame.putInt(ClusterHeader.TOTAL_LENGTH_OFFSET, (int) total);
        CRC32 crc = new CRC32();
        crc.update(slice);
        frame.putInt(ClusterHeader.CRC_OFFSET, (control & 32) != 0 ? in.i32() : (int) crc.getValue());
        frame.putShort(ClusterHeader.SLICE_LENGTH_OFFSET, (short) sliceLength);
        frame.put(ClusterHeader.SLICE_OFFSET, slice);
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
