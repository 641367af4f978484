package lnlb.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import lnlb.core.api.wire.FrameAuthenticator;
import lnlb.core.api.wire.FrameReader;
import lnlb.core.api.wire.WireMessage;

/**
 * Target 1: cluster frames into {@link FrameReader#accept} (keyless, keyed, keyed during a key
 * rotation; default and tiny bounds) and bodies into {@link WireMessage#decode}: the engine's own
 * reassembler and codec ({@code lnlb.core.internal.wire}) behind the exported tool API.
 *
 * <p>Properties: nothing escapes; after every frame {@code received() == accounted()}, the
 * reassembly bounds hold and the caller's buffer keeps its position and limit; every message
 * returned, and every body {@code decode} accepts, encodes back to the same bytes.
 *
 * <p>Input program: one setup byte (bit 0 keyed, bit 1 tiny bounds, bit 2 little-endian buffers,
 * bit 3 direct buffers, bit 4 previous key accepted), then up to 64 operations: a raw frame, a
 * frame with fuzzer-chosen header fields, a message sent by a real {@code Fragmenter} (sealed with
 * the key, another key or none; its frames delivered, dropped, repeated, corrupted, reversed), a
 * clock step, a body for {@code decode}, a frame range outside the buffer.
 */
class ClusterFrameFuzzTest {
    static final int MAX_OPERATIONS = 64;

    @FuzzTest(maxDuration = "6s")
    void frames(byte[] data) {
        run(data);
    }

    static void run(byte[] data) {
        new Run(new FuzzInput(data)).go();
    }

    private static final class Run {
        final FuzzInput in;
        final boolean littleEndian;
        final boolean direct;
        final int maxPending;
        final long maxPendingBytes;
        final FrameReader reassembler;
        FrameAuthenticator sealer;
        FrameAuthenticator wrongSealer;
        final long[] wall = {1_000};
        long now;

        Run(FuzzInput in) {
            this.in = in;
            int setup = in.u8();
            boolean small = (setup & 2) != 0;
            littleEndian = (setup & 4) != 0;
            direct = (setup & 8) != 0;
            maxPending = small ? 3 : FrameReader.DEFAULT_MAX_PENDING;
            maxPendingBytes = small ? 6_000 : FrameReader.DEFAULT_MAX_PENDING_BYTES;
            reassembler = small ? new FrameReader(Wire.VIP16, 4_096, maxPending, maxPendingBytes, 50)
                    : new FrameReader(Wire.VIP16);
            if ((setup & 1) != 0) {
                reassembler.openWith(FrameAuthenticator.rotating(Wire.KEY,
                        (setup & 16) != 0 ? Wire.WRONG_KEY : null, 5_000, () -> wall[0]));
            }
        }

        void go() {
            for (int op = 0; op < MAX_OPERATIONS && in.more(); op++) {
                switch (in.u8() % 6) {
                    case 0 -> accept(in.blob(2048));
                    case 1 -> accept(Wire.headerFrame(in));
                    case 2 -> message();
                    case 3 -> clock();
                    case 4 -> decode();
                    default -> outOfRange();
                }
            }
        }

        private void message() {
            WireMessage message = Wire.message(in);
            int mtu = in.bool() ? 1500 : 39 + in.u8();
            FrameAuthenticator seal = switch (in.u8() % 3) {
                case 0 -> null;
                case 1 -> sealer != null ? sealer : (sealer = Wire.sealer(Wire.KEY));
                default -> wrongSealer != null ? wrongSealer : (wrongSealer = Wire.sealer(Wire.WRONG_KEY));
            };
            long source = Wire.node(in);
            List<byte[]> frames = new ArrayList<>(Wire.frames(message, mtu, seal, source, in.u8()));
            if (in.bool()) {
                Collections.reverse(frames);
            }
            for (byte[] frame : frames) {
                int action = in.u8() % 8;
                if (action == 5) {
                    continue; // lost
                }
                if (action == 7 && frame.length > 0) {
                    frame[in.u16() % frame.length] ^= (byte) (in.u8() | 1);
                }
                accept(frame);
                if (action == 6) {
                    accept(frame);
                }
            }
        }

        private void clock() {
            switch (in.u8() % 4) {
                case 0 -> now += in.u16();
                case 1 -> now = in.i64(); // any value, backwards too
                case 2 -> reassembler.expire(now += in.u16());
                default -> wall[0] += in.u16() * 16L;
            }
        }

        private void accept(byte[] frame) {
            int before = in.below(8);
            ByteBuffer buffer = Wire.place(frame, before, in.below(8), littleEndian, direct);
            FrameReader.Received received = reassembler.accept(buffer, before, frame.length, now);
            untouched(buffer);
            check();
            if (received != null) {
                roundTrip(received.message());
            }
        }

        private void outOfRange() {
            ByteBuffer buffer = in.bool() ? null : Wire.place(in.blob(128), 0, 0, littleEndian, direct);
            FrameReader.Received received = reassembler.accept(buffer, in.i32(), in.i32(), now);
            if (received != null) {
                throw new AssertionError("a frame outside the buffer was decoded: " + received);
            }
            check();
        }

        private void decode() {
            int type = in.u8();
            byte[] body = in.blob(4096);
            int before = in.below(8);
            ByteBuffer buffer = Wire.place(body, before, in.below(8), littleEndian, direct);
            boolean exact = !in.bool();
            int offset = exact ? before : in.i32();
            int length = exact ? body.length : in.i32();
            WireMessage message = WireMessage.decode(type, buffer, offset, length);
            untouched(buffer);
            if (message == null) {
                return;
            }
            if (message.type() != type) {
                throw new AssertionError("decode(" + type + ") returned a " + WireMessage.typeName(message.type()));
            }
            if (exact && !Arrays.equals(message.body(), body)) {
                throw new AssertionError("decode accepted a body that does not encode back: " + message);
            }
            roundTrip(message);
        }

        private void check() {
            if (reassembler.received() != reassembler.accounted()) {
                throw new AssertionError("received " + reassembler.received() + " != accounted "
                        + reassembler.accounted() + ": " + reassembler);
            }
            if (reassembler.pendingMessages() < 0 || reassembler.pendingMessages() > maxPending
                    || reassembler.pendingBytes() < 0 || reassembler.pendingBytes() > maxPendingBytes
                    || reassembler.allocatedBytes() > maxPendingBytes) {
                throw new AssertionError("reassembly bounds broken: " + reassembler.pendingMessages() + " messages, "
                        + reassembler.pendingBytes() + " bytes");
            }
        }
    }

    static void untouched(ByteBuffer buffer) {
        if (buffer.position() != 0 || buffer.limit() != buffer.capacity()) {
            throw new AssertionError("the caller's buffer was moved: " + buffer);
        }
    }

    /** A decoded message encodes to a body that decodes to an equal message. */
    static void roundTrip(WireMessage message) {
        byte[] body = message.body();
        if (body.length != message.bodyLength()) {
            throw new AssertionError("bodyLength " + message.bodyLength() + " != encoded " + body.length);
        }
        WireMessage again = WireMessage.decode(message.type(), ByteBuffer.wrap(body), 0, body.length);
        if (!message.equals(again)) {
            throw new AssertionError("round trip changed " + message + " into " + again);
        }
    }
}
