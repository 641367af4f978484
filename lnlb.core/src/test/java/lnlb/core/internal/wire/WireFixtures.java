package lnlb.core.internal.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

/** Shared test data: addresses, one sample message of each type, frames from the Fragmenter. */
final class WireFixtures {
    static final byte[] VIP = vip("10.0.0.10");
    static final byte[] OTHER_VIP = vip("10.0.0.11");
    static final long CLUSTER_MAC = 0x0200_0a00_000aL;
    static final long NODE_A = 0x5254_0000_0001L;
    static final long NODE_B = 0x5254_0000_0002L;
    static final long NODE_C = 0x5254_0000_0003L;

    private WireFixtures() {
    }

    static byte[] vip(String address) {
        try {
            return ClusterHeader.vipBytes(InetAddress.getByName(address));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static View view(long epoch) {
        return new View(epoch, List.of(new View.Member(NODE_A, 7), new View.Member(NODE_B, -1),
                new View.Member(NODE_C, 0x1234_5678)));
    }

    static byte[] bytes(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** One message of every type, each with a non-trivial body. */
    static List<ClusterMessage> samples() {
        return List.of(
                new Join(0x8000_0001),
                new Welcome(NODE_B, view(41), new int[] {0, 6, 17, 255}),
                new Heartbeat(Long.MIN_VALUE + 5, 1234, 255),
                new AskRetransmit(NODE_C, 0x0102_0304_0506_0708L),
                new Retransmit(42, -7, 3),
                new Leave(),
                new Conntrack(NODE_B, 6, bytes(300, 1)),
                new Prepare(view(42)),
                new Prepared(42),
                new Commit(view(43)),
                new Committed(43, true, new int[] {0, 6, 17, 255}, new long[] {1, -1, Long.MAX_VALUE, 0xABCDL},
                        new long[] {9, 8, Long.MIN_VALUE, 0}));
    }

    /** Frames as the Fragmenter sends them, each copied out of its reused buffer. */
    static List<byte[]> frames(ClusterMessage message, int mtu, long sender, int messageId) {
        return frames(message, mtu, sender, messageId, VIP);
    }

    /** The same, for the cluster of {@code vip}. */
    static List<byte[]> frames(ClusterMessage message, int mtu, long sender, int messageId, byte[] vip) {
        List<byte[]> frames = new ArrayList<>();
        new Fragmenter(mtu, Reassembler.DEFAULT_MAX_MESSAGE_BYTES).send(message, vip, sender, CLUSTER_MAC, messageId,
                frame -> {
                    byte[] copy = new byte[frame.remaining()];
                    frame.get(copy);
                    frames.add(copy);
                });
        return frames;
    }

    /** Frames as a Fragmenter sealing with {@code sealer} (null: none) sends them. */
    static List<byte[]> sealedFrames(ClusterMessage message, int mtu, long sender, int messageId,
            MessageAuthenticator sealer) {
        Fragmenter fragmenter = new Fragmenter(mtu, 64 << 20);
        fragmenter.setAuthenticator(sealer);
        List<byte[]> frames = new ArrayList<>();
        fragmenter.send(message, VIP, sender, CLUSTER_MAC, messageId, frame -> {
            byte[] copy = new byte[frame.remaining()];
            frame.get(copy);
            frames.add(copy);
        });
        return frames;
    }

    /** A heap buffer holding {@code frame} at {@code offset}, with junk bytes before and after. */
    static ByteBuffer placed(byte[] frame, int offset) {
        byte[] junk = bytes(offset + frame.length + 9, frame.length);
        System.arraycopy(frame, 0, junk, offset, frame.length);
        return ByteBuffer.wrap(junk);
    }

    /** A direct buffer holding {@code frame} at {@code offset}. */
    static ByteBuffer placedDirect(byte[] frame, int offset) {
        ByteBuffer b = ByteBuffer.allocateDirect(offset + frame.length + 3);
        b.put(offset, frame);
        return b;
    }

    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return s.toString();
    }

    static byte[] unhex(String text) {
        String h = text.replaceAll("\\s+", "");
        byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
