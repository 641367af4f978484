package lnlb.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class EthernetTest {
    static final long DESTINATION = 0x02_00_00_00_00_01L;
    static final long SOURCE = 0x0A_00_00_00_00_02L;

    @Test
    void writesAndReadsAHeaderAtAnIndexWhateverTheOrder() {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            ByteBuffer buffer = ByteBuffer.allocate(100).order(order);
            buffer.position(7).limit(90);
            assertEquals(10 + 14, Ethernet.writeHeader(buffer, 10, DESTINATION, SOURCE, Ethernet.TYPE_IPV6));
            assertEquals(0x86, buffer.get(22) & 0xFF, "network order");
            Ethernet frame = new Ethernet().wrap(buffer, 10, 60);
            assertTrue(frame.valid());
            assertEquals(DESTINATION, frame.destination());
            assertEquals(SOURCE, frame.source());
            assertEquals(Ethernet.TYPE_IPV6, frame.type());
            assertEquals(Ethernet.TYPE_IPV6, Ethernet.type(buffer, 10));
            assertTrue(frame.carriesIp());
            assertEquals(24, frame.payloadOffset());
            assertEquals(46, frame.payloadLength());
            assertEquals(7, buffer.position());
            assertEquals(90, buffer.limit());
        }
    }

    @Test
    void aShortOrOutOfRangeFrameIsNotValid() {
        ByteBuffer buffer = ByteBuffer.allocate(40);
        Ethernet frame = new Ethernet();
        assertFalse(frame.wrap(buffer, 0, 13).valid());
        assertFalse(frame.wrap(buffer, 30, 14).valid());
        assertFalse(frame.wrap(buffer, -1, 14).valid());
        assertTrue(frame.wrap(buffer, 26, 14).valid());
        Ethernet.writeHeader(buffer, 0, DESTINATION, SOURCE, Ethernet.TYPE_ARP);
        assertFalse(frame.wrap(buffer, 0, 40).carriesIp());
        assertEquals(14, Ethernet.HEADER_LENGTH);
        assertEquals(12, Ethernet.TYPE_OFFSET);
    }
}
