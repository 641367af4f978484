package lnlb.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import lnlb.core.internal.wire.ReceivedMessage;
import org.junit.jupiter.api.Test;

/** The join recording is allocated once, off the loop, and survives joins: a rejoin must not allocate on the loop. */
class JoinRecorderTest {
    @Test
    void keepsItsBufferAcrossJoins() {
        JoinRecorder recorder = new JoinRecorder(1 << 16, 64);
        recorder.reserve();
        for (int join = 0; join < 3; join++) {
            assertTrue(recorder.frame(ByteBuffer.allocate(100), 0, 60, 0));
            List<Integer> replayed = new ArrayList<>();
            recorder.replay(new JoinRecorder.Replay() {
                @Override
                public void frame(ByteBuffer buffer, int offset, int length) {
                    replayed.add(length);
                }

                @Override
                public void message(ReceivedMessage message) {
                }
            });
            assertEquals(List.of(60), replayed, "join " + join);
            assertTrue(recorder.reserved(), "the buffer was freed after join " + join);
            recorder.frame(ByteBuffer.allocate(100), 0, 10, 0);
            recorder.clear(); // a rejoin
            assertEquals(0, recorder.size());
            assertTrue(recorder.reserved(), "the buffer was freed by a rejoin");
        }
    }
}
