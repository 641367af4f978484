package lnlb.core.internal.wire;

import static lnlb.core.internal.wire.ClusterHeader.BAD_FRAGMENT;
import static lnlb.core.internal.wire.ClusterHeader.BAD_LENGTH;
import static lnlb.core.internal.wire.ClusterHeader.BAD_VERSION;
import static lnlb.core.internal.wire.ClusterHeader.FOREIGN;
import static lnlb.core.internal.wire.ClusterHeader.NOT_CLUSTER;
import static lnlb.core.internal.wire.ClusterHeader.OK;
import static lnlb.core.internal.wire.ClusterHeader.OVERSIZED;
import static lnlb.core.internal.wire.ClusterHeader.TRUNCATED;
import static lnlb.core.internal.wire.ClusterHeader.UNKNOWN_TYPE;
import static lnlb.core.internal.wire.WireFixtures.CLUSTER_MAC;
import static lnlb.core.internal.wire.WireFixtures.NODE_A;
import static lnlb.core.internal.wire.WireFixtures.OTHER_VIP;
import static lnlb.core.internal.wire.WireFixtures.VIP;
import static lnlb.core.internal.wire.WireFixtures.unhex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ClusterHeaderTest {
    /** JOIN(weight 5) from 52:54:00:00:00:01 to the cluster MAC of 10.0.0.10, message id 0x11223344. */
    static final String GOLDEN_JOIN = ""
            + "02000a00000a" + "525400000001" + "88b5"     // Ethernet: cluster MAC, sender, EtherType
            + "03" + "01" + "0000"                         // version, type JOIN, flags
            + "00000000000000000000ffff0a00000a"           // VIP ::ffff:10.0.0.10
            + "11223344"                                   // message id
            + "0000" + "0001"                              // fragment 0 of 1
            + "00000008" + "adc25019"                      // total body length, CRC32 of the body
            + "0008" + "00000005" + "00000000";            // slice length, slice: weight 5, rules digest 0

    private final ClusterHeader header = new ClusterHeader();

    @Test
    void layoutConstants() {
        assertEquals(14, ClusterHeader.ETHERNET_HEADER_LENGTH);
        assertEquals(38, ClusterHeader.HEADER_LENGTH);
        assertEquals(52, ClusterHeader.FRAME_HEADER_LENGTH);
        assertEquals(14 + 20, ClusterHeader.MESSAGE_ID_OFFSET);
        assertEquals(14 + 32, ClusterHeader.CRC_OFFSET);
        assertEquals(14 + 36, ClusterHeader.SLICE_LENGTH_OFFSET);
    }

    @Test
    void readsTheGoldenFrameAtAnOffsetWithoutMovingTheBuffer() {
        byte[] frame = unhex(GOLDEN_JOIN);
        ByteBuffer buf = WireFixtures.placed(frame, 5);
        buf.position(2).limit(buf.capacity() - 1);

        header.wrap(buf, 5);

        assertEquals(OK, header.check(frame.length, VIP, 100));
        assertEquals(CLUSTER_MAC, header.destination());
        assertEquals(NODE_A, header.source());
        assertEquals(ClusterHeader.ETHERTYPE, header.etherType());
        assertEquals(ClusterHeader.ETHERTYPE, ClusterHeader.etherType(buf, 5));
        assertEquals(3, header.version());
        assertFalse(header.sealed());
        assertEquals(0, header.trailerLength());
        assertEquals(ClusterMessage.JOIN, header.type());
        assertEquals(0, header.flags());
        assertArrayEquals(VIP, header.vip(new byte[16]));
        assertTrue(header.vipEquals(VIP));
        assertFalse(header.vipEquals(OTHER_VIP));
        assertFalse(header.vipEquals(new byte[4]));
        assertEquals(0x11223344, header.messageId());
        assertEquals(0, header.fragmentIndex());
        assertEquals(1, header.fragmentCount());
        assertEquals(8, header.totalLength());
        assertEquals(0xadc25019L, header.crc());
        assertEquals(8, header.sliceLength());
        assertEquals(8, header.fullSliceLength());
        assertEquals(5 + 52, header.sliceIndex());
        assertEquals(2, buf.position());
        assertEquals(buf.capacity() - 1, buf.limit());
    }

    @Test
    void readsNetworkOrderWhateverTheBufferOrder() {
        byte[] frame = unhex(GOLDEN_JOIN);
        ByteBuffer little = WireFixtures.placedDirect(frame, 7).order(ByteOrder.LITTLE_ENDIAN);

        header.wrap(little, 7);

        assertEquals(OK, header.check(frame.length, VIP, 100));
        assertEquals(ClusterHeader.ETHERTYPE, ClusterHeader.etherType(little, 7));
        assertEquals(NODE_A, header.source());
        assertEquals(0x11223344, header.messageId());
        assertEquals(1, header.fragmentCount());
        assertEquals(0xadc25019L, header.crc());
        assertEquals(ByteOrder.LITTLE_ENDIAN, little.order());
    }

    @Test
    void theFragmenterWritesTheGoldenFrame() {
        byte[] frame = WireFixtures.frames(new ClusterMessage.Join(5), 1500, NODE_A, 0x11223344).get(0);
        assertEquals(GOLDEN_JOIN, WireFixtures.hex(frame));
    }

    @Test
    void verdictsInOrder() {
        byte[] good = unhex(GOLDEN_JOIN);
        assertEquals(OK, check(good));
        assertEquals(OK, check(Arrays.copyOf(good, 60)), "Ethernet padding after the slice is ignored");
        assertEquals(TRUNCATED, check(Arrays.copyOf(good, 51)));
        assertEquals(TRUNCATED, check(new byte[0]));
        assertEquals(NOT_CLUSTER, check(set(good, 12, 0x08, 0x00)));
        assertEquals(BAD_VERSION, check(set(good, 14, 1)), "version 1 sealed whole messages: refused");
        assertEquals(BAD_VERSION, check(set(good, 14, 2)), "version 2 bodies carry no rules nor drain: refused");
        assertEquals(BAD_VERSION, check(set(good, 14, 4)));
        assertEquals(BAD_VERSION, check(set(set(good, 14, 0), 26, 1)), "version is checked before the VIP");
        assertEquals(FOREIGN, check(set(good, 33, 11)));
        assertEquals(FOREIGN, check(set(set(good, 33, 11), 15, 0)), "another cluster's types are its business");
        assertEquals(UNKNOWN_TYPE, check(set(good, 15, 0)));
        assertEquals(UNKNOWN_TYPE, check(set(good, 15, 12)));
        assertEquals(BAD_LENGTH, check(set(good, 50, 0x00, 0x09)), "slice runs past the frame");
        assertEquals(BAD_LENGTH, check(set(good, 50, 0x00, 0x07)), "single fragment with a partial slice");
        assertEquals(BAD_LENGTH, check(set(good, 17, 0x01)), "sealed, but no room for the trailer");
        assertEquals(OK, check(Arrays.copyOf(set(good, 17, 0x01), 60 + 24)), "sealed, with room for the trailer");
        assertEquals(OVERSIZED, check(set(good, 42, 0x00, 0x00, 0x00, 0x65)));
        assertEquals(OVERSIZED, check(set(good, 42, 0xFF, 0xFF, 0xFF, 0xFF)));
        assertEquals(BAD_FRAGMENT, check(set(good, 40, 0x00, 0x00)), "count 0");
        assertEquals(BAD_FRAGMENT, check(set(good, 38, 0x00, 0x01)), "index == count");
        assertEquals(BAD_FRAGMENT, check(set(good, 40, 0x80, 0x01)), "count above MAX_FRAGMENTS");
    }

    @Test
    void fragmentGeometry() {
        // total 10 in slices of 4: fragments 0,1 carry 4 bytes, fragment 2 carries 2.
        assertEquals(OK, fragment(0, 3, 10, 4));
        assertEquals(OK, fragment(1, 3, 10, 4));
        assertEquals(OK, fragment(2, 3, 10, 2));
        assertEquals(4, header.fullSliceLength());
        assertEquals(OK, fragment(2, 3, 12, 4), "a full last slice");
        assertEquals(BAD_FRAGMENT, fragment(2, 3, 10, 3), "last slice does not tile the body");
        assertEquals(BAD_FRAGMENT, fragment(2, 3, 10, 0), "empty last slice");
        assertEquals(BAD_FRAGMENT, fragment(0, 3, 10, 0), "empty slice");
        assertEquals(BAD_FRAGMENT, fragment(0, 3, 10, 5), "two slices of 5 suffice");
        assertEquals(BAD_FRAGMENT, fragment(0, 3, 10, 3), "four slices of 3 are needed");
        assertEquals(BAD_FRAGMENT, fragment(2, 3, 10, 6), "last slice longer than the others would be");
        assertEquals(BAD_LENGTH, fragment(0, 3, 3, 4), "slice longer than the body");
        assertEquals(OK, fragment(0, 1, 0, 0), "an empty body is one empty fragment");
        assertEquals(BAD_FRAGMENT, fragment(0, 2, 0, 0), "an empty body in two fragments");
    }

    @Test
    void vipBytes() throws Exception {
        assertEquals("00000000000000000000ffff0a00000a", WireFixtures.hex(VIP));
        byte[] v6 = ClusterHeader.vipBytes(java.net.InetAddress.getByName("fd00::1"));
        assertEquals("fd000000000000000000000000000001", WireFixtures.hex(v6));
    }

    private int check(byte[] frame) {
        return header.wrap(WireFixtures.placed(frame, 3), 3).check(frame.length, VIP, 100);
    }

    /** A frame with the given fragment fields and a slice of {@code slice} zero bytes. */
    private int fragment(int index, int count, int total, int slice) {
        byte[] frame = Arrays.copyOf(unhex(GOLDEN_JOIN), ClusterHeader.FRAME_HEADER_LENGTH + slice);
        ByteBuffer buf = ByteBuffer.wrap(frame);
        buf.putShort(ClusterHeader.FRAGMENT_INDEX_OFFSET, (short) index);
        buf.putShort(ClusterHeader.FRAGMENT_COUNT_OFFSET, (short) count);
        buf.putInt(ClusterHeader.TOTAL_LENGTH_OFFSET, total);
        buf.putShort(ClusterHeader.SLICE_LENGTH_OFFSET, (short) slice);
        return header.wrap(buf, 0).check(frame.length, VIP, 100);
    }

    static byte[] set(byte[] frame, int offset, int... values) {
        byte[] copy = frame.clone();
        for (int i = 0; i < values.length; i++) {
            copy[offset + i] = (byte) values[i];
        }
        return copy;
    }
}
