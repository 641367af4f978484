package lnlb.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.SessionCountDTO;
import lnlb.core.api.admin.SessionDTO;
import lnlb.core.api.admin.TableDTO;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * lnlbctl's answer through a real Gogo runtime: a listing of 1,000,000 sessions (lnlb:conntrack
 * over a cluster admin that hands out that many) is streamed, never held whole: the node holds at
 * most {@link AnswerStream#HELD_BYTES} of it, and half of it has left before the command ends.
 */
class StreamedAnswerTest {
    private static final int SESSIONS = 1_000_000;
    private final ThreadIOImpl io = new ThreadIOImpl();
    private CommandProcessorImpl processor;
    /** Bytes the channel had received when the listing was half done. */
    private long sentAtHalf = -1;
    /** Sessions the listing handed to the command. */
    private long listed;
    private final CountingChannel channel = new CountingChannel();

    @BeforeEach
    void gogo() {
        io.start();
        processor = new CommandProcessorImpl(io);
        processor.addCommand("lnlb", new TableCommands(admin()), "conntrack");
    }

    @AfterEach
    void stop() {
        processor.stop();
        io.stop();
    }

    @Test
    void aMillionSessionsAreStreamedInBoundedMemory() throws Exception {
        ControlRequest.Line line = ControlRequest.line(List.of("conntrack", "nlb0"), Set.of("conntrack"));
        long t = System.nanoTime();
        AnswerStream answer = ControlRequest.run(processor, line, channel);
        // reported, not asserted: BENCHMARKS.md
        System.out.printf("1,000,000 sessions listed through Gogo: %,d bytes streamed in %d ms, at most %,d bytes held%n",
                channel.bytes, (System.nanoTime() - t) / 1_000_000, answer.mostHeld());

        assertTrue(answer.streaming());
        assertTrue(answer.mostHeld() <= AnswerStream.HELD_BYTES, "held " + answer.mostHeld());
        assertTrue(sentAtHalf > 10_000_000L, "sent before the listing was half done: " + sentAtHalf);
        assertTrue(channel.head().startsWith("2\nPROTO"), channel.head());
        // "2", the column header, 1,000,000 session lines, then the trailer: NUL, status, newline, the tables and counts
        assertEquals(SESSIONS + 2, channel.linesBeforeNul);
        String tail = channel.tail();
        assertTrue(tail.contains("\u00000\nPROTOCOLS"), tail);
        assertTrue(tail.endsWith("nlb0: 1000000 session(s) matched, 1000000 listed, epoch 7\n  02:00:00:00:00:01  1,000,000")
                || tail.endsWith("nlb0: 1000000 session(s) matched, 1000000 listed, epoch 7\n  02:00:00:00:00:01  1.000.000"), tail);
    }

    @Test
    void aListingStopsWhenItsReaderGoesAway() throws Exception {
        channel.failAfter = 1_000_000;
        ControlRequest.Line line = ControlRequest.line(List.of("conntrack", "nlb0"), Set.of("conntrack"));
        AnswerStream answer = ControlRequest.run(processor, line, channel);

        assertTrue(answer.streaming());
        assertTrue(listed > 0 && listed < SESSIONS / 10, "sessions handed out after lnlbctl went: " + listed);
    }

    @Test
    void aShortAnswerStaysWhole() throws Exception {
        ControlRequest.Line line = ControlRequest.line(List.of("conntrack", "nlb0", "--limit", "3"), Set.of("conntrack"));
        AnswerStream answer = ControlRequest.run(processor, line, channel);

        assertFalse(answer.streaming());
        assertTrue(channel.head().startsWith("0\nPROTO"), channel.head());
        assertEquals(8, channel.linesBeforeNul, "status, header, 3 sessions, the tables (2 lines), the count, its owner");
        assertEquals(-1, channel.nulAt);
    }

    /** A cluster admin with one table of {@link #SESSIONS} sessions, all owned by one node. */
    private ClusterAdmin admin() {
        return (ClusterAdmin) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ClusterAdmin.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "tables" -> {
                        TableDTO t = new TableDTO();
                        t.protocols = new int[] {0};
                        t.entries = SESSIONS;
                        t.bundle = "lnlb.module.default";
                        t.type = "DefaultTracker";
                        yield List.of(t);
                    }
                    case "sessions" -> sessions((lnlb.core.api.admin.SessionQueryDTO) args[1], cast(args[2]));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @SuppressWarnings("unchecked")
    private static Consumer<SessionDTO> cast(Object sink) {
        return (Consumer<SessionDTO>) sink;
    }

    private SessionCountDTO sessions(lnlb.core.api.admin.SessionQueryDTO q, Consumer<SessionDTO> sink) {
        SessionCountDTO count = new SessionCountDTO();
        SessionDTO s = new SessionDTO();
        s.protocol = 0;
        s.port = -1;
        s.owner = "02:00:00:00:00:01";
        s.state = "-";
        for (int i = 0; i < SESSIONS; i++) {
            if (i == SESSIONS / 2) {
                sentAtHalf = channel.bytes;
            }
            count.matched++;
            if (count.listed < q.limit) {
                count.listed++;
                s.source = "10." + (i >>> 16) + "." + (i >>> 8 & 0xFF) + "." + (i & 0xFF);
                listed++;
                sink.accept(s);
            }
        }
        count.epoch = 7;
        count.perOwner = Map.of(s.owner, count.matched);
        return count;
    }

    /** Counts what it is sent; keeps the first and last bytes and counts newlines before a NUL. */
    private static final class CountingChannel implements WritableByteChannel {
        long bytes;
        /** After this many bytes the reader is gone: writes fail. */
        long failAfter = Long.MAX_VALUE;
        long linesBeforeNul;
        long nulAt = -1;
        private final ByteArrayOutputStream head = new ByteArrayOutputStream();
        private final byte[] tail = new byte[400];

        @Override
        public int write(ByteBuffer src) throws java.io.IOException {
            if (bytes >= failAfter) {
                throw new java.io.IOException("Broken pipe");
            }
            int n = src.remaining();
            while (src.hasRemaining()) {
                byte b = src.get();
                if (head.size() < 200) {
                    head.write(b);
                }
                tail[(int) (bytes % tail.length)] = b;
                if (b == 0 && nulAt < 0) {
                    nulAt = bytes;
                }
                if (b == '\n' && nulAt < 0) {
                    linesBeforeNul++;
                }
                bytes++;
            }
            return n;
        }

        String head() {
            return head.toString(StandardCharsets.UTF_8);
        }

        String tail() {
            int n = (int) Math.min(bytes, tail.length);
            byte[] last = new byte[n];
            for (int i = 0; i < n; i++) {
                last[i] = tail[(int) ((bytes - n + i) % tail.length)];
            }
            return new String(last, StandardCharsets.UTF_8);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
