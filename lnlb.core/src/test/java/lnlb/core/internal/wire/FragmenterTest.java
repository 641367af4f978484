package lnlb.core.internal.wire;

import static lnlb.core.internal.wire.WireFixtures.CLUSTER_MAC;
import static lnlb.core.internal.wire.WireFixtures.NODE_A;
import static lnlb.core.internal.wire.WireFixtures.NODE_B;
import static lnlb.core.internal.wire.WireFixtures.VIP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import lnlb.core.internal.wire.ClusterMessage.Conntrack;
import lnlb.core.internal.wire.ClusterMessage.Leave;
import org.junit.jupiter.api.Test;

class FragmenterTest {
    /** A Conntrack body is 11 bytes plus the state. */
    private static Conntrack conntrackOfBody(int bodyLength) {
        return new Conntrack(NODE_B, 6, WireFixtures.bytes(bodyLength - 11, bodyLength));
    }

    @Test
    void fragmentCountsAtTheBoundaries() {
        Fragmenter f = new Fragmenter(100, 1 << 20); // slice 62
        assertEquals(62, f.sliceLength());
        assertEquals(1, f.fragmentCount(0));
        assertEquals(1, f.fragmentCount(62));
        assertEquals(2, f.fragmentCount(63));
        assertEquals(2, f.fragmentCount(124));
        assertEquals(3, f.fragmentCount(125));
        assertEquals(1, WireFixtures.frames(new Leave(), 100, NODE_A, 1).size());
        assertEquals(1, WireFixtures.frames(conntrackOfBody(62), 100, NODE_A, 1).size());
        assertEquals(2, WireFixtures.frames(conntrackOfBody(63), 100, NODE_A, 1).size());
        assertEquals(3, WireFixtures.frames(conntrackOfBody(125), 100, NODE_A, 1).size());
    }

    @Test
    void everyFragmentButTheLastCarriesAFullSlice() {
        Conntrack message = conntrackOfBody(130);
        byte[] body = MessageCodec.encode(message);
        CRC32 crc = new CRC32();
        crc.update(body);
        List<byte[]> frames = WireFixtures.frames(message, 100, NODE_A, 77);
        ClusterHeader h = new ClusterHeader();
        int[] sizes = {62, 62, 6};
        ByteBuffer reassembled = ByteBuffer.allocate(body.length);
        for (int i = 0; i < frames.size(); i++) {
            byte[] frame = frames.get(i);
            h.wrap(ByteBuffer.wrap(frame), 0);
            assertEquals(ClusterHeader.OK, h.check(frame.length, VIP, 1000));
            assertEquals(52 + sizes[i], frame.length);
            assertEquals(CLUSTER_MAC, h.destination());
            assertEquals(NODE_A, h.source());
            assertEquals(ClusterMessage.CONNTRACK, h.type());
            assertEquals(77, h.messageId());
            assertEquals(i, h.fragmentIndex());
            assertEquals(3, h.fragmentCount());
            assertEquals(130, h.totalLength());
            assertEquals(crc.getValue(), h.crc());
            assertEquals(sizes[i], h.sliceLength());
            assertEquals(62, h.fullSliceLength());
            reassembled.put(frame, 52, sizes[i]);
        }
        assertArrayEquals(body, reassembled.array());
    }

    @Test
    void handsOverOneReusedBufferFromZeroToTheFrameEnd() {
        Fragmenter f = new Fragmenter(1500, 1 << 20);
        List<ByteBuffer> seen = new ArrayList<>();
        List<Integer> ranges = new ArrayList<>();
        f.send(conntrackOfBody(4000), VIP, NODE_A, CLUSTER_MAC, 1, frame -> {
            seen.add(frame);
            ranges.add(frame.position());
            ranges.add(frame.limit());
            frame.position(frame.limit()); // a sink may consume the buffer
        });
        assertEquals(3, seen.size());
        assertSame(seen.get(0), seen.get(2));
        assertEquals(List.of(0, 1514, 0, 1514, 0, 52 + 4000 - 2 * 1462), ranges);
    }

    @Test
    void sealedFramesCarryShorterSlicesAndStillFitTheMtu() {
        Fragmenter f = new Fragmenter(1500, 1 << 20);
        f.setAuthenticator(new MessageAuthenticator(WireFixtures.bytes(16, 1), null, 0, () -> 1L));
        assertEquals(1500 - 38 - 24, f.sliceLength());
        List<Integer> lengths = new ArrayList<>();
        f.send(conntrackOfBody(4000), VIP, NODE_A, CLUSTER_MAC, 1, frame -> lengths.add(frame.remaining()));
        assertEquals(List.of(14 + 1500, 14 + 1500, 14 + 38 + (4000 - 2 * 1438) + 24), lengths);
        f.setAuthenticator(null);
        assertEquals(1500 - 38, f.sliceLength());
        assertThrows(IllegalArgumentException.class, () -> new Fragmenter(38 + 24, 1000)
                .setAuthenticator(new MessageAuthenticator(WireFixtures.bytes(16, 1), null, 0, () -> 1L)));
    }

    @Test
    void refusesWhatReceiversWouldDrop() {
        Fragmenter f = new Fragmenter(100, 1000);
        FrameSink ignore = frame -> { };
        assertThrows(IllegalArgumentException.class,
                () -> f.send(conntrackOfBody(1001), VIP, NODE_A, CLUSTER_MAC, 1, ignore));
        assertEquals(17, f.send(conntrackOfBody(1000), VIP, NODE_A, CLUSTER_MAC, 1, ignore), "ceil(1000 / 62)");
        assertThrows(IllegalArgumentException.class, () -> f.send(new Leave(), new byte[4], NODE_A, CLUSTER_MAC, 1,
                ignore));
        assertThrows(IllegalArgumentException.class, () -> f.send(new Leave(), VIP, -1, CLUSTER_MAC, 1, ignore));
        assertThrows(IllegalArgumentException.class, () -> new Fragmenter(38, 1000));
        assertThrows(IllegalArgumentException.class, () -> new Fragmenter(38 + 65536, 1000));
        // 40 000 bytes in slices of 1 would need more than MAX_FRAGMENTS frames.
        Fragmenter tiny = new Fragmenter(39, 1 << 20);
        assertThrows(IllegalArgumentException.class,
                () -> tiny.send(conntrackOfBody(40_000), VIP, NODE_A, CLUSTER_MAC, 1, ignore));
    }
}
