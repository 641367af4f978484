package lnlb.fuzz;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code StateDump} framing shared by the TCP and UDP trackers (magic, version, clock, P
 * parameters, T tables of 26-byte entries, CRC-32): sorting a dump's entries for comparison, and
 * synthesising dumps field by field with right or wrong magic, version, parameter and table counts,
 * tags, entry counts and state words.
 */
final class StateDumpFormat {
    private static final int ENTRY = 26;

    /** What one module's versions look like. */
    interface Module {
        int magic();

        /** Parameters of {@code version} (1 or 2). */
        int parameters(int version);

        /** Tables of {@code version}. */
        int tables(int version);

        /** A valid state word for an entry of {@code table}. */
        int state(int table, FuzzInput in);
    }

    private StateDumpFormat() {
    }

    /** The dump without its CRC, entries sorted within each table; the dump itself if it does not parse. */
    static byte[] normalize(byte[] dump) {
        ByteBuffer in = ByteBuffer.wrap(dump);
        int end = dump.length - 4;
        if (end < 16) {
            return dump;
        }
        int at = 15 + 8 * (dump[14] & 0xFF);
        if (at >= end) {
            return dump;
        }
        int tables = dump[at++] & 0xFF;
        byte[] out = Arrays.copyOf(dump, end);
        for (int t = 0; t < tables; t++) {
            if (at + 8 > end) {
                return dump;
            }
            long n = in.getInt(at + 4) & 0xFFFF_FFFFL;
            at += 8;
            if (at + n * ENTRY > end) {
                return dump;
            }
            List<byte[]> entries = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                entries.add(Arrays.copyOfRange(dump, at + i * ENTRY, at + (i + 1) * ENTRY));
            }
            entries.sort(Arrays::compare);
            for (int i = 0; i < n; i++) {
                System.arraycopy(entries.get(i), 0, out, at + i * ENTRY, ENTRY);
            }
            at += (int) n * ENTRY;
        }
        return out;
    }

    /** A dump of {@code module}'s format built from the input, each field right unless the input says otherwise. */
    static byte[] synthesize(Module module, FuzzInput in) {
        int control = in.u8();
        int version = (control & 1) != 0 ? in.u16() : 1 + in.below(2);
        int known = version == 1 || version == 2 ? version : 2;
        int parameters = (control & 2) != 0 ? in.u8() : module.parameters(known);
        int tables = (control & 8) != 0 ? in.below(4) : module.tables(known);
        ByteBuffer out = ByteBuffer.allocate(16 * 1024);
        out.putInt((control & 128) != 0 ? in.i32() : module.magic());
        out.putShort((short) version);
        out.putLong(Wire.smallOrAny(in) * 1000);
        out.put((byte) parameters);
        for (int p = 0; p < parameters; p++) {
            // the first is an idle timeout, longer than the others (the TCP tracker wants that)
            out.putLong((control & 4) != 0 ? in.i64() : (p == 0 ? 300_000 : 1) + in.u8() * 1000L);
        }
        out.put((byte) tables);
        for (int t = 0; t < tables; t++) {
            int n = in.below(24);
            out.putInt((control & 16) != 0 ? in.i32() : 0x5442_0000 | t);
            out.putInt((control & 32) != 0 ? in.u8() : n);
            long key = 0;
            for (int i = 0; i < n; i++) {
                key = in.bool() ? key : key + 1 + in.u8();
                out.putLong(key);
                long owner = Wire.node(in);
                out.putShort((short) (owner >>> 32)).putInt((int) owner);
                out.putLong(Wire.smallOrAny(in) * 1000);
                out.putInt((control & 64) != 0 ? in.u8() : module.state(t, in));
            }
        }
        out.putInt(0);
        return ModuleStateHarness.reseal(Arrays.copyOf(out.array(), out.position()));
    }
}
