package lnlb.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import lnlb.core.api.Datagram;

/**
 * Target 3: {@link Datagram#wrap} on arbitrary bytes, offsets and lengths, in heap, direct,
 * read-only, sliced and little-endian buffers whose limit may cut the packet.
 *
 * <p>Properties: neither {@code wrap} nor any accessor throws; the buffer keeps its position and
 * limit; a valid view lies inside the given range and the buffer's limit, and so do its transport
 * header, ports and TCP flags when it reports them; a reused view answers exactly as a fresh one
 * (nothing of the previous packet survives a {@code wrap}).
 *
 * <p>Input program: a control byte (bits: little-endian, direct, read-only, sliced, the limit cuts
 * the packet, arbitrary offset/length), a range selector, then the packet bytes.
 */
class DatagramFuzzTest {
    /** Reused across inputs on purpose: a view wrapped many times must not remember earlier packets. */
    private static final Datagram REUSED = new Datagram();

    @FuzzTest(maxDuration = "5s")
    void wrap(byte[] data) {
        run(data);
    }

    static void run(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        int control = in.u8();
        int before = in.below(16);
        int after = in.below(16);
        int cut = (control & 16) != 0 ? in.u16() : -1;
        int arbitraryOffset = in.i32();
        int arbitraryLength = in.i32();
        byte[] packet = in.rest();

        ByteBuffer buffer = (control & 2) != 0 ? ByteBuffer.allocateDirect(before + packet.length + after)
                : ByteBuffer.allocate(before + packet.length + after);
        buffer.put(before, packet);
        if ((control & 8) != 0) {
            buffer = buffer.slice(1 <= buffer.capacity() ? 1 : 0, Math.max(0, buffer.capacity() - 1));
            before = Math.max(0, before - 1);
        }
        if ((control & 4) != 0) {
            buffer = buffer.asReadOnlyBuffer();
        }
        buffer.order((control & 1) != 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        if (cut >= 0) {
            buffer.limit(Math.min(buffer.capacity(), cut));
        }
        int offset;
        int length;
        switch ((control >>> 5) & 3) {
            case 0 -> {
                offset = before;
                length = packet.length;
            }
            case 1 -> {
                offset = before;
                length = packet.length + after; // link padding after the packet
            }
            case 2 -> {
                offset = arbitraryOffset;
                length = arbitraryLength;
            }
            default -> {
                offset = before;
                length = arbitraryLength & 0xFFFF;
            }
        }
        int position = buffer.position();
        int limit = buffer.limit();

        Datagram fresh = new Datagram().wrap(buffer, offset, length);
        String freshView = describe(fresh, buffer, offset, length);
        if (buffer.position() != position || buffer.limit() != limit) {
            throw new AssertionError("wrap moved the buffer: " + buffer);
        }
        String reusedView = describe(REUSED.wrap(buffer, offset, length), buffer, offset, length);
        if (!freshView.equals(reusedView)) {
            throw new AssertionError("a reused view differs from a fresh one:\n fresh  " + freshView + "\n reused " + reusedView);
        }
    }

    /** Calls every accessor, checks what a valid view promises, and renders the answers. */
    static String describe(Datagram d, ByteBuffer buffer, int offset, int length) {
        StringBuilder s = new StringBuilder();
        s.append(d.valid()).append(' ').append(d.version()).append(' ').append(d.protocol()).append(' ')
                .append(d.offset()).append(' ').append(d.length()).append(' ').append(d.sourceV4()).append(' ')
                .append(d.destinationV4()).append(' ').append(d.sourceHigh()).append(' ').append(d.sourceLow())
                .append(' ').append(d.destinationHigh()).append(' ').append(d.destinationLow()).append(' ')
                .append(d.sourceKey()).append(' ').append(d.sourcePort()).append(' ').append(d.destinationPort())
                .append(' ').append(d.tcpFlags()).append(' ').append(d.isFragment()).append(' ')
                .append(d.isFirstFragment()).append(' ').append(d.fragmentOffset()).append(' ')
                .append(d.moreFragments()).append(' ').append(d.fragmentId()).append(' ')
                .append(d.transportOffset());
        if (d.buffer() != buffer) {
            throw new AssertionError("the view does not hold the wrapped buffer");
        }
        if (!d.valid()) {
            return s.toString();
        }
        int end = d.offset() + d.length();
        if (d.version() != 4 && d.version() != 6) {
            throw new AssertionError("valid with version " + d.version() + ": " + s);
        }
        if (d.offset() != offset || d.length() < 1 || d.length() > length || end > buffer.limit()) {
            throw new AssertionError("valid view outside the given range [" + offset + ", +" + length + ") limit "
                    + buffer.limit() + ": " + s);
        }
        if (d.protocol() < 0 || d.protocol() > 255) {
            throw new AssertionError("valid view with protocol " + d.protocol() + ": " + s);
        }
        int transport = d.transportOffset();
        if (transport != Datagram.ABSENT && (transport < d.offset() || transport > end)) {
            throw new AssertionError("transport header outside the packet: " + s);
        }
        if (d.sourcePort() != Datagram.ABSENT && (transport == Datagram.ABSENT || transport + 4 > end
                || d.sourcePort() > 0xFFFF || d.destinationPort() < 0)) {
            throw new AssertionError("ports outside the packet: " + s);
        }
        if (d.tcpFlags() != Datagram.ABSENT && (d.protocol() != Datagram.PROTOCOL_TCP || transport + 20 > end)) {
            throw new AssertionError("TCP flags outside the packet: " + s);
        }
        if (d.isFirstFragment() && d.fragmentOffset() != 0 || !d.isFragment() && (d.fragmentOffset() != 0 || d.moreFragments())) {
            throw new AssertionError("inconsistent fragment fields: " + s);
        }
        return s.toString();
    }
}
