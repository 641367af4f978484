package lnlb.fuzz;

import java.util.Arrays;

/**
 * The fuzzer's bytes read front to back as a small program: every harness takes its choices and
 * its payloads from here in the order it needs them. Reading past the end yields zeros and empty
 * arrays, so every input is a complete program and the seed writer ({@link FuzzInput.Writer}) can
 * lay out meaningful inputs by hand.
 */
final class FuzzInput {
    private final byte[] data;
    private int pos;

    FuzzInput(byte[] data) {
        this.data = data;
    }

    boolean more() {
        return pos < data.length;
    }

    int remaining() {
        return data.length - pos;
    }

    int u8() {
        return pos < data.length ? data[pos++] & 0xFF : 0;
    }

    boolean bool() {
        return (u8() & 1) != 0;
    }

    int u16() {
        return u8() << 8 | u8();
    }

    int i32() {
        return u16() << 16 | u16();
    }

    long i64() {
        return (long) i32() << 32 | i32() & 0xFFFF_FFFFL;
    }

    /** A value in {@code [0, bound)}, from one byte when the bound allows, else from two. */
    int below(int bound) {
        return bound <= 256 ? u8() % bound : u16() % bound;
    }

    /** Up to {@code n} bytes (fewer at the end of the input). */
    byte[] bytes(int n) {
        int take = Math.max(0, Math.min(n, remaining()));
        byte[] out = Arrays.copyOfRange(data, pos, pos + take);
        pos += take;
        return out;
    }

    /** A length-prefixed (u16) byte string, at most {@code max} bytes. */
    byte[] blob(int max) {
        return bytes(u16() % (max + 1));
    }

    byte[] rest() {
        return bytes(remaining());
    }

    /** Builds inputs in the layout {@link FuzzInput} reads (seed corpora, regression inputs). */
    static final class Writer {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

        Writer u8(int v) {
            out.write(v);
            return this;
        }

        Writer u16(int v) {
            return u8(v >>> 8).u8(v);
        }

        Writer i32(int v) {
            return u16(v >>> 16).u16(v);
        }

        Writer i64(long v) {
            return i32((int) (v >>> 32)).i32((int) v);
        }

        Writer bytes(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        Writer blob(byte[] b) {
            return u16(b.length).bytes(b);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
