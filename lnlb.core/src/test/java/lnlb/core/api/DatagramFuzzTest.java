package lnlb.core.api;

import static lnlb.core.api.Datagram.ABSENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random input never makes {@link Datagram} throw, and what it reports stays inside the packet.
 * Seeds are fixed so that a failure is reproducible; the message names the input.
 */
class DatagramFuzzTest {
    private static final int ITERATIONS = 100_000;
    private static final int[] NEXT_HEADERS = {0, 43, 44, 60, 59, 6, 17, 132, 58, 1, 136, 33};

    private final Datagram datagram = new Datagram();

    @Test
    void randomBytesNeverThrow() {
        SplittableRandom random = new SplittableRandom(0x1D1B_2024L);
        int valid = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] bytes = new byte[random.nextInt(0, 160)];
            random.nextBytes(bytes);
            shape(bytes, random);
            valid += check(bytes, random, "random #" + i) ? 1 : 0;
        }
        // The shaping is there to reach past the first length check; make sure it does.
        assertTrue(valid > ITERATIONS / 20, "only " + valid + " valid packets: the fuzzer is not reaching the parsers");
    }

    @Test
    void mutatedGoldenFramesNeverThrow() {
        SplittableRandom random = new SplittableRandom(0x5EED_0006L);
        GoldenFrame[] frames = GoldenFrame.values();
        for (int i = 0; i < ITERATIONS / 2; i++) {
            byte[] bytes = frames[random.nextInt(frames.length)].ip();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = random.nextInt(bytes.length);
                bytes[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (bytes[at] ^ 1 << random.nextInt(8));
            }
            if (random.nextInt(4) == 0) {
                bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            }
            check(bytes, random, "mutation #" + i);
        }
    }

    /** Often makes the bytes look like the start of an IPv4/IPv6 packet whose lengths nearly fit. */
    private static void shape(byte[] bytes, SplittableRandom random) {
        if (bytes.length == 0 || random.nextInt(4) == 0) {
            return;
        }
        boolean six = random.nextBoolean();
        bytes[0] = (byte) ((six ? 0x60 : 0x40) | (bytes[0] & 0x0F));
        if (!six && random.nextBoolean()) {
            bytes[0] = (byte) (0x45 + random.nextInt(3));
        }
        int slack = random.nextInt(4) == 0 ? random.nextInt(-8, 8) : 0;
        if (six && bytes.length >= 40) {
            Packets.putShort(bytes, 4, Math.max(0, bytes.length - 40 - Math.max(0, slack)));
            bytes[6] = (byte) NEXT_HEADERS[random.nextInt(NEXT_HEADERS.length)];
            // Small extension lengths so that chains are walked rather than overrun at once.
            for (int at = 41; at < bytes.length; at += 8) {
                if (random.nextBoolean()) {
                    bytes[at] = (byte) random.nextInt(3);
                    bytes[at - 1] = (byte) NEXT_HEADERS[random.nextInt(NEXT_HEADERS.length)];
                }
            }
        } else if (!six && bytes.length >= 4) {
            Packets.putShort(bytes, 2, Math.max(0, bytes.length - Math.max(0, slack)));
        }
    }

    /** Wraps {@code bytes} in a randomly chosen buffer setup; returns whether it was valid. */
    private boolean check(byte[] bytes, SplittableRandom random, String name) {
        int offset = random.nextInt(0, 20);
        int tail = random.nextInt(0, 20);
        ByteBuffer buffer = random.nextInt(16) == 0 ? ByteBuffer.allocateDirect(offset + bytes.length + tail) : ByteBuffer.allocate(offset + bytes.length + tail);
        buffer.position(offset).put(bytes).clear();
        if (random.nextBoolean()) {
            buffer.order(ByteOrder.LITTLE_ENDIAN);
        }
        int length = bytes.length;
        switch (random.nextInt(10)) {
            case 0 -> length += random.nextInt(1, 64);            // runs past the bytes, maybe past the end
            case 1 -> length = random.nextInt(-4, length + 1);    // shorter, maybe negative
            case 2 -> buffer.limit(random.nextInt(0, buffer.capacity() + 1));
            default -> { }
        }
        int position = random.nextInt(0, buffer.limit() + 1);
        buffer.position(position);
        int limit = buffer.limit();
        try {
            datagram.wrap(buffer, offset, length);
            Snapshot s = Snapshot.of(datagram);
            assertEquals(position, buffer.position());
            assertEquals(limit, buffer.limit());
            if (s.valid()) {
                assertTrue(s.version() == 4 || s.version() == 6);
                assertTrue(s.length() >= (s.version() == 4 ? 20 : 40) && s.length() <= length);
                assertTrue(offset + s.length() <= limit);
                int transport = s.relativeTransportOffset();
                assertTrue(transport == ABSENT || transport >= 20 && transport <= s.length());
                assertTrue(s.protocol() >= 0 && s.protocol() <= 255);
                assertTrue(s.sourcePort() >= ABSENT && s.sourcePort() <= 0xFFFF);
                assertEquals(s.sourcePort() == ABSENT, s.destinationPort() == ABSENT);
                assertTrue(s.sourcePort() == ABSENT || transport != ABSENT && transport + 4 <= s.length());
                assertTrue(s.tcpFlags() == ABSENT || s.protocol() == Datagram.PROTOCOL_TCP && transport + 20 <= s.length());
                assertTrue(!s.firstFragment() || s.fragment() && s.fragmentOffset() == 0);
                assertTrue(s.fragmentOffset() >= 0 && s.fragmentOffset() <= 0xFFF8 && s.fragmentOffset() % 8 == 0);
                assertTrue(s.fragmentOffset() == 0 || transport == ABSENT, "no transport in a non-first fragment");
            } else {
                assertEquals(0, s.version());
                assertEquals(ABSENT, s.protocol());
                assertEquals(ABSENT, s.relativeTransportOffset());
                assertEquals(ABSENT, s.sourcePort());
                assertEquals(ABSENT, s.tcpFlags());
            }
            return s.valid();
        } catch (RuntimeException | AssertionError e) {
            fail(name + ": wrap(offset " + offset + ", length " + length + ") of " + HexFormat.of().formatHex(bytes)
                    + " in a " + (buffer.isDirect() ? "direct " : "") + buffer.order() + " buffer, capacity "
                    + buffer.capacity() + ", limit " + limit, e);
            return false;
        }
    }
}
