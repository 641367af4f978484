package lnlb.core.internal.wire;

import static lnlb.core.internal.wire.ClusterHeaderTest.set;
import static lnlb.core.internal.wire.WireFixtures.NODE_A;
import static lnlb.core.internal.wire.WireFixtures.NODE_B;
import static lnlb.core.internal.wire.WireFixtures.NODE_C;
import static lnlb.core.internal.wire.WireFixtures.OTHER_VIP;
import static lnlb.core.internal.wire.WireFixtures.VIP;
import static lnlb.core.internal.wire.WireFixtures.frames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import lnlb.core.internal.wire.ClusterMessage.Conntrack;
import lnlb.core.internal.wire.ClusterMessage.Heartbeat;
import lnlb.core.internal.wire.ClusterMessage.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReassemblerTest {
    private static final int OFFSET = 13;
    private static final int SMALL_MTU = 50; // slices of 12 bytes: every non-trivial sample fragments

    private Reassembler reassembler = new Reassembler(VIP, 1 << 20, 8, 4 << 20, 1_000);
    private long now = 1_000_000;

    static Stream<ClusterMessage> samples() {
        return WireFixtures.samples().stream();
    }

    @AfterEach
    void everyFrameIsAccountedFor() {
        WireCounters c = reassembler.counters();
        assertEquals(c.received(), c.accounted(), c.toString());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyTypeRoundTripsInOneFrame(ClusterMessage message) {
        List<byte[]> frames = frames(message, 1500, NODE_A, 9);
        assertEquals(1, frames.size());

        ReceivedMessage heap = feed(frames.get(0));
        ReceivedMessage direct = reassembler.accept(WireFixtures.placedDirect(frames.get(0), OFFSET), OFFSET,
                frames.get(0).length, now);

        assertEquals(new ReceivedMessage(NODE_A, 9, message), heap);
        assertEquals(heap, direct);
        assertEquals(2, reassembler.counters().decoded());
        assertEquals(0, reassembler.pendingMessages());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyTypeRoundTripsInManyFrames(ClusterMessage message) {
        List<byte[]> frames = frames(message, SMALL_MTU, NODE_B, -2);
        for (int i = 0; i < frames.size() - 1; i++) {
            assertNull(feed(frames.get(i)));
            assertEquals(1, reassembler.pendingMessages());
        }
        ByteBuffer little = WireFixtures.placed(frames.get(frames.size() - 1), OFFSET).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(new ReceivedMessage(NODE_B, -2, message),
                reassembler.accept(little, OFFSET, frames.get(frames.size() - 1).length, now), "in any buffer order");
        assertEquals(0, reassembler.pendingMessages());
        assertEquals(0, reassembler.pendingBytes());
        assertEquals(frames.size() - 1, reassembler.counters().fragmentsBuffered());
        assertEquals(frames.size() > 1 ? 1 : 0, reassembler.counters().reassembled());
    }

    @Test
    void aLargeConntrackAtMtu1500() {
        reassembler = new Reassembler(VIP);
        Conntrack big = new Conntrack(NODE_B, 17, WireFixtures.bytes(200 * 1024, 3));
        List<byte[]> frames = frames(big, 1500, NODE_A, 1);
        assertEquals(141, frames.size()); // ceil((204800 + 11) / 1462)

        ReceivedMessage last = null;
        for (byte[] frame : frames) {
            last = feed(frame);
        }

        assertEquals(big, last.message());
        assertEquals(140, reassembler.counters().fragmentsBuffered());
        assertEquals(1, reassembler.counters().reassembled());
        assertEquals(1, reassembler.counters().decoded());
    }

    @Test
    void fragmentsMayArriveInAnyOrder() {
        Conntrack message = new Conntrack(NODE_B, 6, WireFixtures.bytes(500, 4));
        List<byte[]> frames = new ArrayList<>(frames(message, SMALL_MTU, NODE_A, 5));
        Collections.reverse(frames);
        assertEquals(message, feedAll(frames).message());

        Collections.shuffle(frames, new Random(7));
        assertEquals(message, feedAll(frames).message());
        assertEquals(2, reassembler.counters().decoded());
    }

    @Test
    void duplicateFragmentsAreCountedAndIgnored() {
        Conntrack message = new Conntrack(NODE_B, 6, WireFixtures.bytes(100, 5));
        List<byte[]> frames = frames(message, SMALL_MTU, NODE_A, 5); // 10 frames
        List<ReceivedMessage> results = new ArrayList<>();
        for (byte[] frame : frames.subList(0, frames.size() - 1)) {
            results.add(feed(frame));
            results.add(feed(frame));
        }
        results.add(feed(frames.get(frames.size() - 1)));

        assertEquals(List.of(new ReceivedMessage(NODE_A, 5, message)),
                results.stream().filter(r -> r != null).toList());
        assertEquals(frames.size() - 1, reassembler.counters().duplicateFragments());
    }

    @Test
    void interleavedMessagesFromTwoSendersWithTheSameId() {
        Conntrack fromA = new Conntrack(NODE_A, 6, WireFixtures.bytes(200, 6));
        Conntrack fromB = new Conntrack(NODE_B, 17, WireFixtures.bytes(150, 7));
        List<byte[]> a = frames(fromA, SMALL_MTU, NODE_A, 3);
        List<byte[]> b = frames(fromB, SMALL_MTU, NODE_B, 3);
        List<ReceivedMessage> results = new ArrayList<>();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            if (i < b.size()) {
                results.add(feed(b.get(i)));
            }
            if (i < a.size()) {
                results.add(feed(a.get(i)));
            }
        }
        assertEquals(List.of(new ReceivedMessage(NODE_B, 3, fromB), new ReceivedMessage(NODE_A, 3, fromA)),
                results.stream().filter(r -> r != null).toList());
    }

    @Test
    void malformedFramesAreCountedAndDropped() {
        byte[] join = frames(new Join(5), 1500, NODE_A, 1).get(0);
        assertNull(feed(Arrays.copyOf(join, 30)));
        assertNull(feed(set(join, 12, 0x08, 0x06)));
        assertNull(feed(set(join, 14, 1)));                                // version 1: refused
        assertNull(feed(frames(new Join(5), 1500, NODE_A, 1, OTHER_VIP).get(0)));
        assertNull(feed(set(join, 15, 99)));
        assertNull(feed(set(join, 50, 0x01, 0x00)));                       // slice length lies
        assertNull(feed(set(join, 42, 0x7F, 0x00, 0x00, 0x00)));           // total above the limit
        assertNull(feed(set(join, 38, 0x00, 0x02)));                       // index >= count
        assertNull(feed(set(join, 40, 0x00, 0x00)));                       // count 0
        assertNull(feed(set(join, 40, 0xFF, 0xFF)));                       // count > MAX_FRAGMENTS
        assertNull(feed(set(join, 55, 6)));                                // body byte: CRC mismatch
        assertNull(feed(set(join, 15, ClusterMessage.HEARTBEAT)));         // good CRC, not a heartbeat body
        assertNull(reassembler.accept(null, 0, 60, now));
        assertNull(reassembler.accept(ByteBuffer.wrap(join), -1, join.length, now));
        assertNull(reassembler.accept(ByteBuffer.wrap(join), 1, join.length, now));
        assertNull(reassembler.accept(ByteBuffer.wrap(join), 0, -1, now));
        assertNull(reassembler.accept(ByteBuffer.wrap(join), Integer.MAX_VALUE, 10, now));

        assertEquals(Map.ofEntries(Map.entry("received", 17L), Map.entry("truncated", 6L),
                Map.entry("notCluster", 1L), Map.entry("badVersion", 1L), Map.entry("foreign", 1L),
                Map.entry("unknownType", 1L), Map.entry("badLength", 1L), Map.entry("oversized", 1L),
                Map.entry("badFragment", 3L), Map.entry("badCrc", 1L), Map.entry("badBody", 1L)), nonZero());
    }

    @Test
    void aCorruptFragmentFailsTheCrcOfTheWholeMessage() {
        List<byte[]> frames = new ArrayList<>(frames(new Conntrack(NODE_B, 6, WireFixtures.bytes(100, 8)),
                SMALL_MTU, NODE_A, 1));
        frames.set(4, set(frames.get(4), 60, frames.get(4)[60] ^ 0x40));
        assertNull(feedAll(frames));
        assertEquals(1, reassembler.counters().badCrc());
        assertEquals(1, reassembler.counters().reassembled());
        assertEquals(0, reassembler.pendingMessages());
    }

    @Test
    void aFragmentThatDisagreesWithItsMessageIsDropped() {
        List<byte[]> good = frames(new Conntrack(NODE_B, 6, WireFixtures.bytes(30, 9)), SMALL_MTU, NODE_A, 4);
        List<byte[]> other = frames(new Conntrack(NODE_B, 6, WireFixtures.bytes(31, 9)), SMALL_MTU, NODE_A, 4);
        assertEquals(4, good.size()); // 41 bytes in slices of 12
        assertEquals(4, other.size()); // 42 bytes: same count, another total and CRC

        assertNull(feed(good.get(0)));
        assertNull(feed(other.get(1)));
        assertNull(feed(set(good.get(1), 15, ClusterMessage.WELCOME)));
        assertEquals(2, reassembler.counters().badFragment());
        assertNotNull(feedAll(good.subList(1, 4)));
    }

    @Test
    void oversizedMessagesAreDroppedFrameByFrame() {
        reassembler = new Reassembler(VIP, 100, 8, 1000, 1000);
        List<byte[]> frames = frames(new Conntrack(NODE_B, 6, new byte[90]), SMALL_MTU, NODE_A, 1);
        assertNull(feedAll(frames));
        assertEquals(frames.size(), reassembler.counters().oversized());
        assertEquals(0, reassembler.pendingMessages());
    }

    @Test
    void aPartialMessageIsEvictedBeyondTheCap() {
        reassembler = new Reassembler(VIP, 1 << 20, 4, 4 << 20, 1_000);
        List<List<byte[]>> messages = new ArrayList<>();
        for (int id = 0; id < 5; id++) {
            messages.add(frames(new Conntrack(NODE_B, id, WireFixtures.bytes(40, id)), SMALL_MTU, NODE_A + id, id));
            assertNull(feed(messages.get(id).get(0)));
            now++;
        }
        assertEquals(4, reassembler.pendingMessages());
        assertEquals(1, reassembler.counters().reassemblyEvictions());
        for (int id = 1; id < 5; id++) {
            assertEquals(id, ((Conntrack) feedAll(messages.get(id).subList(1, 5)).message()).protocol());
        }
        assertEquals(0, reassembler.pendingMessages());
    }

    @Test
    void theEvictedOneIsTheOneThatReceivedLeast() {
        reassembler = new Reassembler(VIP, 1 << 20, 2, 4 << 20, 1_000);
        List<byte[]> busy = frames(new Conntrack(NODE_B, 1, WireFixtures.bytes(100, 1)), SMALL_MTU, NODE_A, 1);
        List<byte[]> idle = frames(new Conntrack(NODE_B, 2, WireFixtures.bytes(100, 2)), SMALL_MTU, NODE_B, 2);
        feedAll(busy.subList(0, 3)); // the older one, but with three fragments
        feed(idle.get(0));
        feed(frames(new Conntrack(NODE_B, 3, WireFixtures.bytes(100, 3)), SMALL_MTU, NODE_C, 3).get(0));
        assertEquals(1, reassembler.counters().reassemblyEvictions());
        assertNotNull(feedAll(busy.subList(3, busy.size())), "the busy one survived");
        assertNull(feedAll(idle.subList(1, idle.size())), "the idle one was evicted");
    }

    @Test
    void aSenderHoldsAtMostAQuarterOfTheSlots() {
        reassembler = new Reassembler(VIP, 1 << 20, 16, 4 << 20, 1_000);
        for (int id = 0; id < 10; id++) {
            feed(frames(new Conntrack(NODE_B, id, WireFixtures.bytes(40, id)), SMALL_MTU, NODE_A, id).get(0));
        }
        assertEquals(4, reassembler.pendingMessages());
        assertEquals(6, reassembler.counters().reassemblyQuotaEvictions());
        assertEquals(0, reassembler.counters().reassemblyEvictions());
    }

    @Test
    void partialMessagesBeyondTheByteBudgetAreEvicted() {
        reassembler = new Reassembler(VIP, 1000, 64, 2500, 1_000); // chunks of 1024: room for 2
        assertEquals(2048, reassembler.budgetBytes());
        for (int id = 0; id < 3; id++) {
            assertNull(feed(frames(new Conntrack(NODE_B, 6, new byte[989]), 1000, NODE_A + id, id).get(0)));
            now++;
        }
        assertEquals(2, reassembler.pendingMessages());
        assertEquals(2048, reassembler.pendingBytes());
        assertEquals(1, reassembler.counters().reassemblyBudgetEvictions());
    }

    @Test
    void aSenderBeyondItsQuotaEvictsItsOwnPartialMessages() {
        reassembler = new Reassembler(VIP, 1000, 64, 8192, 1000, 1_000); // quota: one chunk of 1024
        assertNull(feed(frames(new Conntrack(NODE_B, 6, new byte[989]), 1000, NODE_B, 1).get(0)));
        for (int id = 0; id < 3; id++) {
            assertNull(feed(frames(new Conntrack(NODE_B, 6, new byte[989]), 1000, NODE_A, id).get(0)));
        }
        assertEquals(2, reassembler.pendingMessages());
        assertEquals(1024, reassembler.pendingBytes(NODE_A));
        assertEquals(1024, reassembler.pendingBytes(NODE_B));
        assertEquals(2, reassembler.counters().reassemblyQuotaEvictions());
    }

    @Test
    void partialMessagesTimeOut() {
        List<byte[]> frames = frames(new Conntrack(NODE_B, 6, WireFixtures.bytes(40, 1)), SMALL_MTU, NODE_A, 1);
        feed(frames.get(0));
        now += 999;
        feed(frames.get(1));
        now += 1;
        assertNull(feedAll(frames.subList(2, 4)), "the first two fragments expired");
        assertEquals(1, reassembler.counters().reassemblyTimeouts());
        assertEquals(1, reassembler.pendingMessages());

        reassembler.expire(now + 999);
        assertEquals(1, reassembler.pendingMessages());
        reassembler.expire(now + 1_000);
        assertEquals(0, reassembler.pendingMessages());
        assertEquals(0, reassembler.pendingBytes());
        assertEquals(2, reassembler.counters().reassemblyTimeouts());
    }

    @Test
    void acceptNeverMovesTheBuffer() {
        byte[] frame = frames(new Heartbeat(1, 2, 3), 1500, NODE_A, 1).get(0);
        ByteBuffer buf = WireFixtures.placed(frame, OFFSET);
        buf.position(4).limit(OFFSET + frame.length + 1);
        assertNotNull(reassembler.accept(buf, OFFSET, frame.length, now));
        assertEquals(4, buf.position());
        assertEquals(OFFSET + frame.length + 1, buf.limit());
    }

    @Test
    void countersPrintNonZeroValues() {
        feed(frames(new Join(1), 1500, NODE_A, 1).get(0));
        assertEquals("received=1 decoded=1", reassembler.counters().toString());
    }

    private ReceivedMessage feed(byte[] frame) {
        return reassembler.accept(WireFixtures.placed(frame, OFFSET), OFFSET, frame.length, now);
    }

    /** Feeds every frame; returns the last non-null result. */
    private ReceivedMessage feedAll(List<byte[]> frames) {
        ReceivedMessage last = null;
        for (byte[] frame : frames) {
            ReceivedMessage r = feed(frame);
            last = r != null ? r : last;
        }
        return last;
    }

    private Map<String, Long> nonZero() {
        Map<String, Long> map = new java.util.HashMap<>(reassembler.counters().snapshot());
        map.values().removeIf(v -> v == 0);
        return map;
    }
}
