package lnlb.fuzz;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.testing.FakeCluster;

/**
 * Target 2, for any module: {@link ProtocolModule#loadState} on fuzzed dumps.
 *
 * <p>Properties: a dump either loads or is refused with IllegalArgumentException and nothing else;
 * a refused dump leaves the table as it was (the same {@code entries} and the same
 * {@code saveState} bytes); a loaded table's own dump loads back into a fresh module and describes
 * the same table (compared after {@link Spec#normalize}, which puts entries in a canonical order).
 *
 * <p>Input program: the module's configuration, the cluster clock, whether the cluster was
 * created, some traffic (assignments of fuzzer-chosen sources), then up to 16 operations: load raw
 * bytes; load this module's own dump or another module's (a "sender" with its own traffic and
 * clock), either mutated (bytes flipped or set, a u32 overwritten, truncated, extended, a range
 * copied over another) and optionally resealed with a correct trailing CRC-32; load a dump
 * synthesised field by field ({@link Spec#synthesize}); move the clock; more traffic.
 */
final class ModuleStateHarness {
    static final int MAX_OPERATIONS = 16;

    /** What the harness needs to know about one module. */
    interface Spec {
        /** How many input bytes {@link #create} reads. */
        int configurationBytes();

        /** A module configured from the input's first bytes (same bytes: same configuration). */
        ProtocolModule create(FuzzInput in);

        /** The IP protocol its traffic uses (0: any; the harness sends UDP). */
        int protocol();

        /** Entries held for {@code cluster}. */
        int entries(ProtocolModule module, FakeCluster cluster);

        /** The dump with its entries in a canonical order, so equal tables compare equal. */
        byte[] normalize(byte[] dump);

        /** A dump built field by field from the input, resealed; or raw bytes if the format is not known here. */
        byte[] synthesize(FuzzInput in);
    }

    /** Sees the outcome of every load ("loaded N" or the refusal); for checking that seeds do what they say. */
    static java.util.function.Consumer<String> trace = outcome -> { };

    private final Spec spec;
    private final FuzzInput in;
    private final byte[] configuration;
    private final ProtocolModule module;
    private final FakeCluster cluster;
    private final Datagram datagram = new Datagram();

    private ModuleStateHarness(Spec spec, FuzzInput in) {
        this.spec = spec;
        this.in = in;
        this.configuration = in.bytes(spec.configurationBytes());
        this.module = fresh();
        this.cluster = cluster(in.bool() ? in.u16() * 1000L : in.i64());
    }

    /** The fuzzed node's cluster ({@link Wire#VIP}, {@link Wire#SELF}) at {@code now}. */
    static FakeCluster cluster(long now) {
        return new FakeCluster("fuzz0", Wire.VIP, Wire.SELF, now);
    }

    static void run(Spec spec, byte[] data) {
        new ModuleStateHarness(spec, new FuzzInput(data)).go();
    }

    private ProtocolModule fresh() {
        return spec.create(new FuzzInput(configuration));
    }

    private void go() {
        if (in.bool()) {
            module.clusterCreated(cluster);
        }
        traffic(module, cluster, in.below(48));
        for (int op = 0; op < MAX_OPERATIONS && in.more(); op++) {
            switch (in.u8() % 6) {
                case 0 -> attempt(in.blob(2048));
                case 1 -> attempt(mutate(module.saveState(cluster)));
                case 2 -> attempt(mutate(donorDump()));
                case 3 -> cluster.now = in.bool() ? cluster.now + in.u16() * 100L : in.i64();
                case 4 -> attempt(spec.synthesize(in));
                default -> traffic(module, cluster, in.below(8));
            }
        }
    }

    /** A dump made by another node: its own traffic, its own clock. */
    private byte[] donorDump() {
        ProtocolModule donor = fresh();
        FakeCluster donorCluster = cluster(in.bool() ? cluster.now : in.i64());
        donor.clusterCreated(donorCluster);
        traffic(donor, donorCluster, in.below(32));
        return donor.saveState(donorCluster);
    }

    /** {@code n} datagrams: the module is asked who owns each, and told the owner the fuzzer picks when it knows none. */
    private void traffic(ProtocolModule target, FakeCluster on, int n) {
        int protocol = spec.protocol() == 0 ? (in.bool() ? 17 : 6) : spec.protocol();
        for (int i = 0; i < n && in.more(); i++) {
            int source = in.bool() ? 0x0A00_0000 | in.u8() : in.i32();
            byte[] packet = Packets.ipv4(source, protocol, in.u8() < 128 ? 40_000 + in.u8() : in.u16(), 80,
                    in.u8() & 0x3F);
            int fragment = in.u8(); // bits 0-1: whole, first, middle or last fragment; the rest: its id
            if ((fragment & 3) != 0) {
                ByteBuffer header = ByteBuffer.wrap(packet);
                header.putShort(4, (short) (fragment >>> 2));
                header.putShort(6, (short) switch (fragment & 3) {
                    case 1 -> 0x2000;
                    case 2 -> 0x2001;
                    default -> 0x0002;
                });
            }
            datagram.wrap(ByteBuffer.wrap(packet), 0, packet.length);
            long owner = target.related(on, datagram);
            if (owner == NodeAddress.NONE) {
                target.assigned(on, datagram, Wire.node(in));
            }
            on.now += in.u8();
        }
    }

    private byte[] mutate(byte[] dump) {
        byte[] out = dump;
        int mutations = in.below(5);
        for (int i = 0; i < mutations; i++) {
            int at = out.length == 0 ? 0 : in.u16() % out.length;
            switch (in.u8() % 6) {
                case 0 -> {
                    if (out.length > 0) {
                        out[at] ^= (byte) (1 << in.below(8));
                    }
                }
                case 1 -> {
                    if (out.length > 0) {
                        out[at] = (byte) in.u8();
                    }
                }
                case 2 -> {
                    if (at + 4 <= out.length) {
                        ByteBuffer.wrap(out).putInt(at, in.i32());
                    }
                }
                case 3 -> out = Arrays.copyOf(out, at);
                case 4 -> {
                    byte[] tail = in.blob(64);
                    byte[] longer = Arrays.copyOf(out, out.length + tail.length);
                    System.arraycopy(tail, 0, longer, out.length, tail.length);
                    out = longer;
                }
                default -> {
                    int to = out.length == 0 ? 0 : in.u16() % out.length;
                    int length = Math.min(in.u8(), Math.min(out.length - at, out.length - to));
                    System.arraycopy(out, at, out, to, Math.max(0, length));
                }
            }
        }
        return in.bool() ? reseal(out) : out;
    }

    /** Rewrites the trailing CRC-32 (over everything before it), as every module's format ends. */
    static byte[] reseal(byte[] dump) {
        if (dump.length >= 4) {
            CRC32 crc = new CRC32();
            crc.update(dump, 0, dump.length - 4);
            ByteBuffer.wrap(dump).putInt(dump.length - 4, (int) crc.getValue());
        }
        return dump;
    }

    private void attempt(byte[] dump) {
        byte[] before = module.saveState(cluster);
        int entriesBefore = spec.entries(module, cluster);
        byte[] given = dump.clone();
        try {
            module.loadState(cluster, dump);
        } catch (IllegalArgumentException refused) {
            trace.accept(refused.getMessage());
            if (spec.entries(module, cluster) != entriesBefore || !Arrays.equals(module.saveState(cluster), before)) {
                throw new AssertionError("a refused dump changed the table (" + entriesBefore + " -> "
                        + spec.entries(module, cluster) + " entries): " + refused.getMessage(), refused);
            }
            return;
        }
        if (!Arrays.equals(dump, given)) {
            throw new AssertionError("loadState modified the caller's dump");
        }
        trace.accept("loaded " + spec.entries(module, cluster));
        byte[] saved = module.saveState(cluster);
        ProtocolModule copy = fresh();
        try {
            copy.loadState(cluster, saved);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("the module refused its own dump: " + e.getMessage(), e);
        }
        if (spec.entries(copy, cluster) != spec.entries(module, cluster)) {
            throw new AssertionError("reloading its own dump gave " + spec.entries(copy, cluster) + " entries, not "
                    + spec.entries(module, cluster));
        }
        if (!Arrays.equals(spec.normalize(copy.saveState(cluster)), spec.normalize(saved))) {
            throw new AssertionError("reloading its own dump changed the table");
        }
    }
}
