package lnlb.core.internal.wire;

import static lnlb.core.internal.wire.WireFixtures.NODE_A;
import static lnlb.core.internal.wire.WireFixtures.NODE_B;
import static lnlb.core.internal.wire.WireFixtures.NODE_C;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import lnlb.core.internal.wire.ClusterMessage.Conntrack;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated frames through header check, reassembly and decode: nothing may throw, the
 * bounds must hold after every frame, and every frame must land in exactly one counter.
 */
class WireFuzzTest {
    private static final int FRAMES = 120_000;
    private static final int MAX_MESSAGE = 64 * 1024;
    private static final int MAX_PENDING = 3; // so that slots run out before the budget, and the budget too
    private static final long MAX_PENDING_BYTES = 96 * 1024;

    private final Random rnd = new Random(0x4c4e4c42L);
    /** Valid frames in send order: feeding them in sequence completes messages. */
    private final List<byte[]> sequence = new ArrayList<>();
    private int cursor;

    @Test
    void noFrameEscapesTheCounters() {
        buildSequence();
        Reassembler reassembler = new Reassembler(WireFixtures.VIP, MAX_MESSAGE, MAX_PENDING, MAX_PENDING_BYTES, 50);
        ByteBuffer heap = ByteBuffer.allocate(4096);
        ByteBuffer direct = ByteBuffer.allocateDirect(4096);
        long now = 0;
        long returned = 0;
        for (int i = 0; i < FRAMES; i++) {
            byte[] frame = nextFrame();
            ByteBuffer buf = (i & 7) == 0 ? direct : heap;
            int offset = rnd.nextInt(64);
            int length = Math.min(frame.length, buf.capacity() - offset);
            buf.put(offset, frame, 0, length);
            now += rnd.nextInt(3);

            ReceivedMessage received = reassembler.accept(buf, offset, length, now);

            if (received != null) {
                returned++;
                MessageCodec.encode(received.message()); // a decoded message is a well-formed one
            }
            assertTrue(reassembler.pendingMessages() <= MAX_PENDING);
            assertTrue(reassembler.pendingBytes() <= MAX_PENDING_BYTES);
        }

        WireCounters c = reassembler.counters();
        assertEquals(FRAMES, c.received());
        assertEquals(c.received(), c.accounted(), c.toString());
        assertEquals(returned, c.decoded());
        for (Map.Entry<String, Long> e : c.snapshot().entrySet()) {
            if (!AUTHENTICATION_ONLY.contains(e.getKey())) {
                assertTrue(e.getValue() > 0, "the fuzz never reached " + e.getKey() + ": " + c);
            }
        }
    }

    /**
     * Counters only a keyed cluster can reach ({@link #sealedFramesSurviveTheFuzzToo} reaches them),
     * and the one the bounds rule out.
     */
    private static final List<String> AUTHENTICATION_ONLY = List.of("badTag", "replayed", "reassemblyOverBudget");

    @Test
    void sealedFramesSurviveTheFuzzToo() {
        byte[] key = MessageAuthenticator.parseKey("00112233445566778899aabbccddeeff");
        byte[] wrong = MessageAuthenticator.parseKey("ffeeddccbbaa99887766554433221100");
        long[] wall = {1_700_000_000_000L};
        Reassembler reassembler = new Reassembler(WireFixtures.VIP, MAX_MESSAGE, MAX_PENDING, MAX_PENDING_BYTES, 50);
        reassembler.setAuthenticator(new MessageAuthenticator(key, null, 0, () -> wall[0]));
        List<List<byte[]>> messages = new ArrayList<>();
        for (int round = 0; round < 40; round++) {
            for (ClusterMessage m : WireFixtures.samples()) {
                MessageAuthenticator sealer = new MessageAuthenticator(round % 5 == 0 ? wrong : key, null, 0, () -> wall[0]);
                Fragmenter fragmenter = new Fragmenter(1500, MAX_MESSAGE);
                fragmenter.setAuthenticator(round % 7 == 0 ? null : sealer);
                List<byte[]> frames = new ArrayList<>();
                fragmenter.send(m, WireFixtures.VIP, NODE_A + round % 3, WireFixtures.CLUSTER_MAC, round, f -> {
                    byte[] copy = new byte[f.remaining()];
                    f.get(copy);
                    frames.add(copy);
                });
                messages.add(frames);
                wall[0]++;
            }
        }
        int fed = 0;
        for (int i = 0; i < 20_000; i++) {
            List<byte[]> frames = messages.get(rnd.nextInt(messages.size())); // repeats are replays
            for (byte[] frame : frames) {
                byte[] sent = rnd.nextInt(10) == 0 ? mutate(frame, 0) : frame;
                reassembler.accept(ByteBuffer.wrap(sent), 0, sent.length, i);
                fed++;
            }
        }
        WireCounters c = reassembler.counters();
        assertEquals(fed, c.received());
        assertEquals(c.received(), c.accounted(), c.toString());
        // No badCrc: with a key, a frame altered on the way fails its own tag before its message is whole.
        for (String counter : List.of("decoded", "badTag", "replayed", "unauthenticated")) {
            assertTrue(c.snapshot().get(counter) > 0, "the fuzz never reached " + counter + ": " + c);
        }
    }

    @Test
    void decodeSurvivesRandomAndMutatedBodies() {
        List<byte[]> bodies = new ArrayList<>();
        for (ClusterMessage m : WireFixtures.samples()) {
            bodies.add(MessageCodec.encode(m));
        }
        int decoded = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] body = rnd.nextInt(4) == 0 ? WireFixtures.bytes(rnd.nextInt(80), i)
                    : mutate(bodies.get(rnd.nextInt(bodies.size())), 0);
            int type = rnd.nextInt(16) == 0 ? rnd.nextInt(256) : ClusterMessage.MIN_TYPE + rnd.nextInt(11);
            ClusterMessage m = MessageCodec.decode(type, ByteBuffer.wrap(body), 0, body.length);
            if (m != null) {
                decoded++;
                assertEquals(type, m.type());
                assertEquals(body.length, MessageCodec.bodyLength(m));
            }
        }
        assertTrue(decoded > 0);
    }

    /** Every sample (one frame and many), Conntracks up to 20 KB, an oversized one, a foreign one. */
    private void buildSequence() {
        int id = 0;
        long[] senders = {NODE_A, NODE_B, NODE_C};
        for (ClusterMessage m : WireFixtures.samples()) {
            sequence.addAll(WireFixtures.frames(m, 1500, senders[id % 3], id++));
            sequence.addAll(WireFixtures.frames(m, 50, senders[id % 3], id++));
        }
        for (int k = 0; k < 12; k++) {
            Conntrack c = new Conntrack(NODE_B, k, WireFixtures.bytes(rnd.nextInt(50_000), k));
            sequence.addAll(WireFixtures.frames(c, 300 + rnd.nextInt(1200), senders[id % 3], id++));
        }
        sequence.addAll(WireFixtures.frames(new Conntrack(NODE_B, 6, new byte[MAX_MESSAGE]), 1500, NODE_A, id++));
        sequence.addAll(WireFixtures.frames(WireFixtures.samples().get(2), 1500, NODE_C, id, WireFixtures.OTHER_VIP));
    }

    private byte[] nextFrame() {
        int pick = rnd.nextInt(100);
        if (pick < 5) {
            return WireFixtures.bytes(rnd.nextInt(200), rnd.nextLong());
        }
        if (pick < 12) { // a believable header prefix, random after it
            byte[] frame = WireFixtures.bytes(rnd.nextInt(120), rnd.nextLong());
            byte[] valid = sequence.get(rnd.nextInt(sequence.size()));
            System.arraycopy(valid, 0, frame, 0, Math.min(frame.length, ClusterHeader.MESSAGE_ID_OFFSET));
            return frame;
        }
        if (pick < 50) {
            byte[] frame = sequence.get(cursor);
            cursor = (cursor + 1) % sequence.size();
            return frame;
        }
        return mutate(sequence.get(rnd.nextInt(sequence.size())), ClusterHeader.FRAME_HEADER_LENGTH);
    }

    /** One to three of: flip bytes, set a header field to an edge value, truncate, extend, splice. */
    private byte[] mutate(byte[] original, int headerLength) {
        byte[] b = original.clone();
        for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
            switch (rnd.nextInt(5)) {
                case 0 -> {
                    if (b.length > 0) {
                        int at = headerLength > 0 && rnd.nextBoolean() ? rnd.nextInt(Math.min(b.length, headerLength))
                                : rnd.nextInt(b.length);
                        b[at] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 1 -> {
                    int at = headerLength > 0 ? 12 + 2 * rnd.nextInt(20) : rnd.nextInt(Math.max(1, b.length));
                    int[] edges = {0, 1, 0x7F, 0x80, 0xFF, rnd.nextInt(256)};
                    if (at + 1 < b.length) {
                        b[at] = (byte) edges[rnd.nextInt(edges.length)];
                        b[at + 1] = (byte) edges[rnd.nextInt(edges.length)];
                    }
                }
                case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
                case 3 -> {
                    byte[] longer = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(40));
                    for (int i = b.length; i < longer.length; i++) {
                        longer[i] = (byte) rnd.nextInt(256);
                    }
                    b = longer;
                }
                default -> {
                    byte[] other = sequence.isEmpty() ? b : sequence.get(rnd.nextInt(sequence.size()));
                    int head = rnd.nextInt(b.length + 1);
                    int tail = rnd.nextInt(other.length + 1);
                    byte[] spliced = Arrays.copyOf(b, head + other.length - tail);
                    System.arraycopy(other, tail, spliced, head, other.length - tail);
                    b = spliced;
                }
            }
        }
        return b;
    }
}
