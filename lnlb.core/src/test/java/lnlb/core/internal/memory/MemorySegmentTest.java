package lnlb.core.internal.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.LinkSpec;
import lnlb.core.api.memory.MemorySegment;
import lnlb.core.api.memory.MemorySegment.ClientPort;
import org.junit.jupiter.api.Test;

/** The memory provider as a segment: clients reach the links, listeners see what nodes accept. */
class MemorySegmentTest {
    private final MemoryLinkProvider provider = new MemoryLinkProvider();

    private ClusterLink open(String name) throws IOException {
        return provider.open(new LinkSpec("dev0", name, InetAddress.getByName("10.0.0.1"), 0x0200_0000_0001L));
    }

    private static List<byte[]> drain(ClusterLink link) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        link.poll((buffer, offset, length) -> {
            byte[] copy = new byte[length];
            buffer.get(offset, copy);
            frames.add(copy);
        }, 0);
        return frames;
    }

    @Test
    void aClientFrameReachesEveryLinkInOneOrder() throws IOException {
        ClusterLink a = open("m0");
        ClusterLink b = open("m1");
        ClientPort client = provider.attach(0x0200_0000_0099L);
        client.transmit(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        a.transmit(ByteBuffer.wrap(new byte[] {4}));
        assertEquals(1, drain(a).size());
        List<byte[]> atB = drain(b);
        assertArrayEquals(new byte[] {1, 2, 3}, atB.get(0));
        assertArrayEquals(new byte[] {4}, atB.get(1));
        assertEquals(2, provider.hub().framesFlooded());
        client.close();
        assertThrows(IOException.class, () -> client.transmit(ByteBuffer.wrap(new byte[] {5})));
    }

    @Test
    void listenersSeeWhatANodeAcceptsWithItsNameAndAddress() throws IOException {
        ClusterLink a = open("m2");
        List<String> seen = new ArrayList<>();
        MemorySegment.DeliveryListener listener = (name, node, frame) -> seen.add(
                name + " " + (node == a.nodeAddress()) + " " + frame.remaining() + " " + frame.get(frame.position()));
        provider.addListener(listener);
        provider.addListener((name, node, frame) -> {
            throw new IllegalStateException("a broken listener must not stop the others");
        });
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {0, 0, 9, 8, 7, 0});
        a.deliver(buffer, 2, 3);
        provider.removeListener(listener);
        a.deliver(buffer, 2, 3);
        assertEquals(List.of("m2 true 3 9"), seen);
    }
}
