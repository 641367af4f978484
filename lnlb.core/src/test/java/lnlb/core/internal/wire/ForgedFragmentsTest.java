package lnlb.core.internal.wire;

import static lnlb.core.internal.wire.WireFixtures.NODE_A;
import static lnlb.core.internal.wire.WireFixtures.NODE_B;
import static lnlb.core.internal.wire.WireFixtures.sealedFrames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import lnlb.core.api.NodeAddress;
import lnlb.core.internal.wire.ClusterMessage.Conntrack;
import lnlb.core.internal.wire.ClusterMessage.Heartbeat;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: the independent tester's attack. A host sends thousands of first fragments whose
 * header passes every check but claims huge counts, random indexes, lying totals and CRCs, sealed
 * with a made-up tag, with another key or not at all, random bytes, replays of real frames, and
 * forgeries in a real sender's name with its next message ids. Checked: the memory held for frames
 * not authenticated (none with a key, the budget without), that nothing is allocated per refused
 * frame (bytes allocated by this thread, over thousands of frames: an allocation count, not a
 * timing), and that real messages, a multi-MB one among them, still arrive.
 */
class ForgedFragmentsTest {
    private static final byte[] KEY = MessageAuthenticator.parseKey("000102030405060708090a0b0c0d0e0f");
    private static final byte[] WRONG = MessageAuthenticator.parseKey("f0e0d0c0b0a090807060504030201000");
    /** The engine's bounds (ClusterEngine): 64 MiB messages, budget + 8 MiB, one message per sender. */
    private static final int MAX_MESSAGE = 64 << 20;
    private static final long BUDGET = MAX_MESSAGE + (8L << 20);
    private static final int SEALED_SLICE = 1500 - ClusterHeader.HEADER_LENGTH - MessageAuthenticator.TRAILER_LENGTH;
    private static final int PLAIN_SLICE = 1500 - ClusterHeader.HEADER_LENGTH;

    private final Random rnd = new Random(10);
    private final long[] wall = {1_700_000_000_000L};
    private long now = 1_000;

    private MessageAuthenticator auth(byte[] key) {
        return new MessageAuthenticator(key, null, 0, () -> wall[0]);
    }

    private Reassembler keyedReceiver() {
        Reassembler r = new Reassembler(WireFixtures.VIP, MAX_MESSAGE, 64, BUDGET, MAX_MESSAGE, 2_000);
        r.setAuthenticator(auth(KEY));
        return r;
    }

    @Test
    void withAKeyAFloodHoldsNothingAndAllocatesNothingPerFrame() {
        Reassembler receiver = keyedReceiver();
        MessageAuthenticator realSealer = auth(KEY);
        List<byte[]> captured = new ArrayList<>();
        for (int id = 0; id < 20; id++) {
            List<byte[]> real = sealedFrames(new Conntrack(NODE_B, 6, WireFixtures.bytes(3000, id)), 1500, NODE_A, id,
                    realSealer);
            assertNotNull(feedAll(receiver, real));
            captured.addAll(real);
        }
        List<ByteBuffer> hostile = hostileFrames(6_000, captured, SEALED_SLICE, MAX_MESSAGE);
        WireCounters c = receiver.counters();
        long decoded = c.decoded();
        long chunks = receiver.allocatedBytes(); // what the real messages used, kept for reuse

        feedBuffers(receiver, hostile); // warm-up: classes loaded, code compiled
        long allocated = allocatedBy(() -> feedBuffers(receiver, hostile));

        assertEquals(decoded, c.decoded(), "nothing forged got through");
        assertEquals(0, receiver.pendingMessages());
        assertEquals(0, receiver.pendingBytes(), "not one byte held for an unauthenticated frame");
        assertEquals(chunks, receiver.allocatedBytes());
        // Under one byte a frame: one allocation per frame would cost at least 16. What remains is
        // the JIT's own noise (a few hundred bytes on a busy machine).
        assertTrue(allocated < hostile.size(), allocated + " bytes allocated for " + hostile.size() + " frames");
        assertTrue(c.badTag() > 0 && c.unauthenticated() > 0 && c.replayed() > 0 && c.badLength() > 0, c.toString());
        System.out.printf("keyed flood: %d frames, %d bytes allocated by the loop thread, %d bytes held%n",
                hostile.size(), allocated, receiver.pendingBytes());
        assertEquals(c.received(), c.accounted(), c.toString());
    }

    @Test
    void forgeriesUnderARealSendersNextIdsDoNotStopItsMessages() {
        Reassembler receiver = keyedReceiver();
        MessageAuthenticator realSealer = auth(KEY);
        MessageAuthenticator wrongSealer = auth(WRONG);
        ClusterMessage before = new Heartbeat(7, 100, 3);
        Conntrack state = new Conntrack(NODE_B, 6, WireFixtures.bytes(3 << 20, 11)); // a tracker's state dump
        ClusterMessage after = new Heartbeat(7, 101, 3);
        List<byte[]> real = new ArrayList<>();
        real.addAll(sealedFrames(before, 1500, NODE_A, 10, realSealer));
        real.addAll(jittered(sealedFrames(state, 1500, NODE_A, 11, realSealer)));
        real.addAll(sealedFrames(after, 1500, NODE_A, 12, realSealer));
        // The forger's copy of the same messages under the same ids, sealed with its own key.
        List<byte[]> wrongKey = new ArrayList<>(sealedFrames(new Conntrack(NODE_B, 6, WireFixtures.bytes(2 << 20, 12)),
                1500, NODE_A, 11, wrongSealer));
        wrongKey.addAll(sealedFrames(after, 1500, NODE_A, 12, wrongSealer));

        List<ReceivedMessage> delivered = new ArrayList<>();
        for (int i = 0; i < 500; i++) { // the forger speaks first: it would take the slots
            feed(receiver, forgedFirstFragment(NODE_A, 10 + rnd.nextInt(3), rnd.nextBoolean(), SEALED_SLICE, MAX_MESSAGE));
        }
        for (int i = 0; i < real.size(); i++) {
            feed(receiver, forgedFirstFragment(NODE_A, 10 + rnd.nextInt(4), rnd.nextBoolean(), SEALED_SLICE, MAX_MESSAGE));
            feed(receiver, ByteBuffer.wrap(wrongKey.get(i % wrongKey.size())));
            ReceivedMessage m = feed(receiver, ByteBuffer.wrap(real.get(i)));
            if (m != null) {
                delivered.add(m);
            }
            if (i % 7 == 0) {
                feed(receiver, ByteBuffer.wrap(real.get(rnd.nextInt(i + 1)))); // a replay of a frame seen already
            }
        }

        assertEquals(List.of(new ReceivedMessage(NODE_A, 10, before), new ReceivedMessage(NODE_A, 11, state),
                new ReceivedMessage(NODE_A, 12, after)), delivered);
        WireCounters c = receiver.counters();
        assertEquals(0, c.badFragment() + c.reassemblyEvictions() + c.reassemblyBudgetEvictions()
                + c.reassemblyQuotaEvictions() + c.reassemblyTimeouts(), "no real fragment lost: " + c);
        assertTrue(c.replayed() > 0 && c.badTag() > 0 && c.unauthenticated() > 0, c.toString());
        assertEquals(0, receiver.pendingMessages());
        assertEquals(c.received(), c.accounted(), c.toString());
    }

    @Test
    void withoutAKeyAFloodCostsAtMostTheBudgetAndARealStateTransferStillArrives() {
        int maxMessage = 8 << 20;
        long budget = maxMessage + (2L << 20);
        Reassembler receiver = new Reassembler(WireFixtures.VIP, maxMessage, 64, budget, maxMessage, 2_000);
        Conntrack state = new Conntrack(NODE_B, 6, WireFixtures.bytes(6 << 20, 13));
        List<byte[]> real = WireFixtures.frames(state, 1500, NODE_A, 1);
        List<ReceivedMessage> delivered = new ArrayList<>();
        for (int i = 0; i < real.size(); i++) {
            for (int k = 0; k < 2; k++) {
                long sender = rnd.nextInt(4) == 0 ? NODE_B : 0x0200_0000_0000L | rnd.nextInt(1 << 24);
                feed(receiver, forgedFirstFragment(sender, rnd.nextInt(), false, PLAIN_SLICE, maxMessage));
                assertBounded(receiver, budget, maxMessage);
            }
            ReceivedMessage m = feed(receiver, ByteBuffer.wrap(real.get(i)));
            if (m != null) {
                delivered.add(m);
            }
            assertBounded(receiver, budget, maxMessage);
        }
        assertEquals(List.of(new ReceivedMessage(NODE_A, 1, state)), delivered);
        assertTrue(receiver.pendingBytes(NODE_B) <= 16L * Reassembler.CHUNK_BYTES, "NODE_B holds at most 16 slots");

        List<ByteBuffer> flood = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            flood.add(forgedFirstFragment(0x0200_0000_0000L | rnd.nextInt(1 << 24), rnd.nextInt(), false, PLAIN_SLICE,
                    maxMessage));
        }
        feedBuffers(receiver, flood); // the pool is full: from here on chunks are reused
        long allocated = allocatedBy(() -> feedBuffers(receiver, flood));
        // Under one byte a frame: one allocation per frame would cost at least 16. What remains is
        // the JIT's own noise (a few hundred bytes on a busy machine).
        assertTrue(allocated < flood.size(), allocated + " bytes allocated for " + flood.size() + " frames");
        assertBounded(receiver, budget, maxMessage);
        WireCounters c = receiver.counters();
        // 64 slots of one sparse chunk each fill before the budget: the slot cap bounds this flood.
        assertTrue(c.reassemblyEvictions() > 0 && c.reassemblyQuotaEvictions() > 0, c.toString());
        System.out.printf("keyless flood: %d frames, %d bytes allocated by the loop thread, %d bytes held, %d bytes of chunks%n",
                flood.size(), allocated, receiver.pendingBytes(), receiver.allocatedBytes());
        assertEquals(0, c.reassemblyOverBudget(), c.toString());
        assertEquals(c.received(), c.accounted(), c.toString());
    }

    @Test
    void theBudgetNeverHoldsAHumongousObject() {
        Reassembler receiver = new Reassembler(WireFixtures.VIP, MAX_MESSAGE, 64, BUDGET, MAX_MESSAGE, 2_000);
        assertTrue(Reassembler.CHUNK_BYTES < (1 << 20) / 2, "below half of the smallest G1 region");
        assertEquals(BUDGET, receiver.budgetBytes());
        assertEquals(MAX_MESSAGE, receiver.senderQuotaBytes());
    }

    private void assertBounded(Reassembler receiver, long budget, long quota) {
        assertTrue(receiver.pendingBytes() <= budget, () -> receiver.pendingBytes() + " > " + budget);
        assertTrue(receiver.allocatedBytes() <= budget, () -> receiver.allocatedBytes() + " > " + budget);
        assertTrue(receiver.pendingBytes(NODE_A) <= quota && receiver.pendingBytes(NODE_B) <= quota);
    }

    /**
     * A first fragment that passes every header check: count up to {@link ClusterHeader#MAX_FRAGMENTS},
     * a random index, a total that fits the count, a random CRC and body; sealed with a random trailer.
     */
    private ByteBuffer forgedFirstFragment(long sender, int id, boolean sealed, int slice, int maxTotal) {
        int maxCount = (int) Math.min(ClusterHeader.MAX_FRAGMENTS, maxTotal / slice);
        int count = 2 + rnd.nextInt(maxCount - 1);
        int index = rnd.nextInt(count - 1);
        long total = (long) (count - 1) * slice + 1 + rnd.nextInt(slice);
        ByteBuffer b = ByteBuffer.allocate(ClusterHeader.FRAME_HEADER_LENGTH + slice
                + (sealed ? MessageAuthenticator.TRAILER_LENGTH : 0));
        rnd.nextBytes(b.array());
        NodeAddress.write(b, ClusterHeader.DESTINATION_OFFSET, WireFixtures.CLUSTER_MAC);
        NodeAddress.write(b, ClusterHeader.SOURCE_OFFSET, sender);
        b.putShort(ClusterHeader.ETHERTYPE_OFFSET, (short) ClusterHeader.ETHERTYPE);
        b.put(ClusterHeader.VERSION_OFFSET, (byte) ClusterHeader.VERSION);
        b.put(ClusterHeader.TYPE_OFFSET, (byte) ClusterMessage.CONNTRACK);
        b.putShort(ClusterHeader.FLAGS_OFFSET, (short) (sealed ? ClusterHeader.FLAG_AUTHENTICATED : 0));
        b.put(ClusterHeader.VIP_OFFSET, WireFixtures.VIP);
        b.putInt(ClusterHeader.MESSAGE_ID_OFFSET, id);
        b.putShort(ClusterHeader.FRAGMENT_INDEX_OFFSET, (short) index);
        b.putShort(ClusterHeader.FRAGMENT_COUNT_OFFSET, (short) count);
        b.putInt(ClusterHeader.TOTAL_LENGTH_OFFSET, (int) total);
        b.putShort(ClusterHeader.SLICE_LENGTH_OFFSET, (short) slice);
        return b;
    }

    /** Every kind the tester sent, in random order. */
    private List<ByteBuffer> hostileFrames(int n, List<byte[]> captured, int slice, int maxTotal) {
        List<byte[]> wrongKey = new ArrayList<>();
        MessageAuthenticator wrongSealer = auth(WRONG);
        for (int id = 0; id < 20; id++) {
            wrongKey.addAll(sealedFrames(new Conntrack(NODE_B, 6, WireFixtures.bytes(5000, id)), 1500, NODE_A, id,
                    wrongSealer));
        }
        List<ByteBuffer> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long sender = rnd.nextBoolean() ? NODE_A : 0x0200_0000_0000L | rnd.nextInt(1 << 24);
            frames.add(switch (i % 6) {
                case 0, 1 -> forgedFirstFragment(sender, rnd.nextInt(), true, slice, maxTotal);
                case 2 -> forgedFirstFragment(sender, rnd.nextInt(), false, slice, maxTotal);
                case 3 -> ByteBuffer.wrap(wrongKey.get(rnd.nextInt(wrongKey.size())));
                case 4 -> ByteBuffer.wrap(captured.get(rnd.nextInt(captured.size())));
                default -> lyingTotal(forgedFirstFragment(sender, rnd.nextInt(), true, slice, maxTotal));
            });
        }
        return frames;
    }

    /** A total the count cannot tile: refused by the header check. */
    private ByteBuffer lyingTotal(ByteBuffer frame) {
        frame.putInt(ClusterHeader.TOTAL_LENGTH_OFFSET, rnd.nextInt(1000));
        return frame;
    }

    /** Reorders frames within blocks of 64, as a jitter relay would. */
    private List<byte[]> jittered(List<byte[]> frames) {
        List<byte[]> out = new ArrayList<>();
        for (int from = 0; from < frames.size(); from += 64) {
            List<byte[]> block = new ArrayList<>(frames.subList(from, Math.min(frames.size(), from + 64)));
            Collections.shuffle(block, rnd);
            out.addAll(block);
        }
        return out;
    }

    private ReceivedMessage feed(Reassembler receiver, ByteBuffer frame) {
        return receiver.accept(frame, 0, frame.capacity(), now);
    }

    private ReceivedMessage feedAll(Reassembler receiver, List<byte[]> frames) {
        ReceivedMessage last = null;
        for (byte[] frame : frames) {
            ReceivedMessage m = feed(receiver, ByteBuffer.wrap(frame));
            last = m != null ? m : last;
        }
        return last;
    }

    private void feedBuffers(Reassembler receiver, List<ByteBuffer> frames) {
        for (ByteBuffer frame : frames) {
            feed(receiver, frame);
        }
    }

    /** Bytes this thread allocated while running {@code work}. */
    static long allocatedBy(Runnable work) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(self);
        work.run();
        return threads.getThreadAllocatedBytes(self) - before;
    }
}
