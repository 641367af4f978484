package lnlb.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameQueueTest {
    private static ByteBuffer frame(int headroom, int length, int fill) {
        ByteBuffer buffer = ByteBuffer.allocate(headroom + length + 8);
        for (int i = 0; i < headroom + length; i++) {
            buffer.put(4 + i, (byte) (fill + i));
        }
        return buffer;
    }

    private static List<String> drain(FrameQueue queue) {
        List<String> seen = new ArrayList<>();
        while (queue.poll((buffer, offset, length) -> seen.add(buffer.get(offset) + "/" + length))) {
            // drained
        }
        return seen;
    }

    @Test
    void keepsOrderHeadroomAndBounds() {
        FrameQueue queue = new FrameQueue(1000, 3);
        assertTrue(queue.offer(frame(2, 100, 1), 6, 100, 2));
        assertTrue(queue.offer(frame(2, 50, 9), 6, 50, 2));
        assertTrue(queue.offer(frame(0, 10, 20), 4, 10, 0));
        assertFalse(queue.offer(frame(0, 10, 20), 4, 10, 0), "frame bound");
        List<String> headrooms = new ArrayList<>();
        queue.forEach((buffer, offset, length) -> headrooms.add(String.valueOf(buffer.get(offset - 1))));
        assertEquals(List.of("2", "10"), headrooms.subList(0, 2), "headroom bytes travel with the frame");
        assertEquals(List.of("3/100", "11/50", "20/10"), drain(queue));
        assertTrue(queue.isEmpty());
    }

    @Test
    void wrapsAroundWithoutSplittingARecord() {
        FrameQueue queue = new FrameQueue(300, 100);
        for (int round = 0; round < 50; round++) {
            assertTrue(queue.offer(frame(0, 90, round), 4, 90, 0));
            assertTrue(queue.offer(frame(0, 70, round + 1), 4, 70, 0));
            assertEquals(List.of(round + "/90", (round + 1) + "/70"), drain(queue));
        }
        assertTrue(queue.offer(frame(0, 200, 1), 4, 200, 0));
        assertFalse(queue.offer(frame(0, 200, 1), 4, 200, 0), "byte bound");
        queue.clear();
        assertTrue(queue.isEmpty());
        assertTrue(queue.offer(frame(0, 200, 1), 4, 200, 0));
    }

    @Test
    void ambiguityLogKeepsTheLastDigestPerKeyAndFlagsOverflow() {
        AmbiguityLog log = new AmbiguityLog(3);
        log.record(6, 100, 1);
        log.record(6, 100, 2);
        log.record(17, 100, 3);
        log.record(6, 200, 4);
        assertEquals(3, log.size());
        assertEquals(2, log.digest(6, 100, -1));
        assertEquals(3, log.digest(17, 100, -1));
        assertEquals(-1, log.digest(6, 300, -1));
        assertFalse(log.overflow());
        log.record(6, 300, 5);
        assertTrue(log.overflow());
        log.clear();
        assertEquals(0, log.size());
        assertEquals(-1, log.digest(6, 100, -1));
    }
}
