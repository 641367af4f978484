package lnlb.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lnlb.core.api.Datagram;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.wire.WireMessage;
import lnlb.core.api.wire.WireMessage.Member;
import lnlb.core.testing.FakeCluster;

/**
 * Writes the committed seed corpora: small, well-formed programs for each harness (every message
 * type, multi-fragment messages, keyed and keyless clusters, a peer joining and a view change, a
 * node re-synchronising from a WELCOME and a CONNTRACK dump, valid and over-full dumps, IPv4 and
 * IPv6 packets with extension headers and fragments). The fuzzers start from these instead of from
 * nothing. Regenerate after changing how a harness reads its input:
 * {@code java -cp <test classpath> lnlb.fuzz.SeedCorpus lnlb.fuzz/src/test/resources}.
 */
public final class SeedCorpus {
    private static final long PEER = Wire.NODES[1];
    private static final long LOWER = Wire.NODES[3];

    private SeedCorpus() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Paths.get(args.length > 0 ? args[0] : "src/test/resources").resolve("lnlb/fuzz");
        write(root.resolve("ClusterFrameFuzzTestInputs/frames"), wire());
        write(root.resolve("TrackerStateFuzzTestInputs/loadState"), moduleSeeds(DEFAULT_SEEDS));
        write(root.resolve("TcpStateFuzzTestInputs/loadState"), moduleSeeds(TCP_SEEDS));
        write(root.resolve("UdpStateFuzzTestInputs/loadState"), moduleSeeds(UDP_SEEDS));
        write(root.resolve("DatagramFuzzTestInputs/wrap"), datagram());
        write(root.resolve("EngineFuzzTestInputs/onFrame"), engine());
        write(root.resolve("EngineFuzzTestInputs/onFrame"), "crash-", Map.of("duplicate-view-member", duplicateViewMember()));
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        write(dir, "seed-", seeds);
    }

    private static void write(Path dir, String prefix, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve(prefix + seed.getKey()), seed.getValue());
        }
        System.out.println(dir + ": " + seeds.size() + " seeds");
    }

    /** A view for the seeds' WELCOME, PREPARE and COMMIT messages. */
    record View(long epoch, List<Member> members) {
    }

    static WireMessage prepare(View view) {
        return WireMessage.prepare(view.epoch(), view.members());
    }

    static WireMessage commit(View view) {
        return WireMessage.commit(view.epoch(), view.members());
    }

    static WireMessage welcome(long joiner, View view, int[] protocols) {
        return WireMessage.welcome(joiner, view.epoch(), view.members(), protocols);
    }

    /** One message of every type, with small epochs and this cluster's nodes. */
    static List<WireMessage> samples() {
        View view = new View(2, List.of(new Member(Wire.SELF, 10), new Member(PEER, 20)));
        List<WireMessage> all = new ArrayList<>();
        all.add(WireMessage.join(10));
        all.add(welcome(PEER, view, new int[] {0}));
        all.add(WireMessage.heartbeat(1, 10, 3));
        all.add(WireMessage.askRetransmit(Wire.SELF, 1));
        all.add(WireMessage.retransmit(1, 10, 3));
        all.add(WireMessage.leave());
        all.add(WireMessage.conntrack(PEER, 0, trackerDump(3, 5_000)));
        all.add(prepare(view));
        all.add(WireMessage.prepared(2));
        all.add(commit(view));
        all.add(WireMessage.committed(2, false, new int[] {0, 17}, new long[] {0x0A00_0001L, 7}, new long[] {42, 43}));
        return all;
    }

    private static FuzzInput.Writer checkedMessage(FuzzInput.Writer w, WireMessage m) {
        FuzzInput.Writer alone = Wire.writeMessage(new FuzzInput.Writer(), m);
        WireMessage back = Wire.message(new FuzzInput(alone.toByteArray()));
        if (!back.equals(m)) {
            throw new AssertionError("the seed writer and Wire.message disagree: " + m + " read back as " + back);
        }
        return Wire.writeMessage(w, m);
    }

    // ---------------------------------------------------------------- target 1

    static Map<String, byte[]> wire() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (int keyed = 0; keyed < 2; keyed++) {
            for (WireMessage m : samples()) {
                FuzzInput.Writer w = new FuzzInput.Writer().u8(keyed).u8(2);
                checkedMessage(w, m).u8(1).u8(keyed).u8(1).u8(7).u8(0);
                int frames = Wire.frames(m, 1500, keyed == 1 ? Wire.sealer(Wire.KEY) : null, PEER, 7).size();
                for (int i = 0; i < frames; i++) {
                    w.u8(0).u8(0).u8(0);
                }
                seeds.put((keyed == 1 ? "keyed-" : "") + WireMessage.typeName(m.type()).toLowerCase(), w.toByteArray());
            }
        }
        // A dump in 100-byte frames, reversed, one fragment twice; then the same on tiny bounds, interleaved with a clock step.
        WireMessage big = WireMessage.conntrack(PEER, 0, trackerDump(20, 9_000));
        for (int setup : new int[] {0, 2, 1}) {
            FuzzInput.Writer w = new FuzzInput.Writer().u8(setup).u8(2);
            checkedMessage(w, big).u8(0).u8(61).u8(setup & 1).u8(1).u8(9).u8(1);
            int frames = Wire.frames(big, 100, (setup & 1) != 0 ? Wire.sealer(Wire.KEY) : null, PEER, 9).size();
            for (int i = 0; i < frames; i++) {
                w.u8(i == 2 ? 6 : 0).u8(i % 3).u8(1);
                if (i == 2) {
                    w.u8(0).u8(0);
                }
            }
            w.u8(3).u8(0).u16(3_000);
            seeds.put("fragmented-conntrack-setup" + setup, w.toByteArray());
        }
        for (WireMessage m : samples()) {
            byte[] body = m.body();
            seeds.put("decode-" + WireMessage.typeName(m.type()).toLowerCase(),
                    new FuzzInput.Writer().u8(0).u8(4).u8(m.type()).blob(body).u8(1).u8(1).u8(0).toByteArray());
        }
        // A frame with every header field spelled out: a single-fragment heartbeat with its CRC.
        byte[] heartbeat = WireMessage.heartbeat(1, 10, 3).body();
        FuzzInput.Writer header = new FuzzInput.Writer().u8(0).u8(1).u8(3).u8(1).u8(WireMessage.HEARTBEAT).u8(0).u8(3)
                .u16(0).u16(1).blob(heartbeat).u8(0).u8(0);
        seeds.put("header-heartbeat", header.toByteArray());
        seeds.put("out-of-range", new FuzzInput.Writer().u8(0).u8(5).u8(0).blob(new byte[64]).i32(60).i32(10)
                .toByteArray());
        return seeds;
    }

    // ---------------------------------------------------------------- target 2

    /** How the seeds of one module's loadState target are laid out. */
    record ModuleSeeds(ModuleStateHarness.Spec spec, byte[] configuration, byte[] smallConfiguration, int flags) {
        /** Does traffic() read a protocol byte (the default tracker: any protocol)? */
        boolean protocolByte() {
            return spec.protocol() == 0;
        }

        /** A real dump of this module after {@code n} clients, the cluster at {@code now}. */
        byte[] realDump(int n, long now) {
            ProtocolModule module = spec.create(new FuzzInput(configuration));
            FakeCluster cluster = ModuleStateHarness.cluster(now);
            module.clusterCreated(cluster);
            Datagram d = new Datagram();
            int protocol = spec.protocol() == 0 ? 17 : spec.protocol();
            for (int i = 0; i < n; i++) {
                byte[] packet = Packets.ipv4(0x0A00_0100 + i, protocol, 40_000 + i, 80, flags);
                d.wrap(ByteBuffer.wrap(packet), 0, packet.length);
                if (module.related(cluster, d) == lnlb.core.api.NodeAddress.NONE) {
                    module.assigned(cluster, d, i % 2 == 0 ? Wire.SELF : PEER);
                }
            }
            return module.saveState(cluster);
        }
    }

    static final ModuleSeeds DEFAULT_SEEDS = new ModuleSeeds(TrackerStateFuzzTest.SPEC, new byte[] {60, 39},
            new byte[] {60, 3}, 0);
    static final ModuleSeeds TCP_SEEDS = new ModuleSeeds(TcpStateFuzzTest.SPEC, new byte[] {0, 30, 39, 15},
            new byte[] {0, 30, 3, 1}, Datagram.TCP_SYN);
    static final ModuleSeeds UDP_SEEDS = new ModuleSeeds(UdpStateFuzzTest.SPEC, new byte[] {60, 100, 39, 15},
            new byte[] {60, 100, 3, 1}, 0);

    /** A real default-tracker dump of {@code clients} clients seen at {@code now}. */
    static byte[] trackerDump(int clients, long now) {
        return DEFAULT_SEEDS.realDump(clients, now);
    }

    static Map<String, byte[]> moduleSeeds(ModuleSeeds m) {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        // configuration, clock, created, traffic; then operations
        seeds.put("own-dump", prelude(m, m.configuration(), 5)
                .u8(1).u8(0).u8(0) // op 1: own dump, no mutation, not resealed
                .toByteArray());
        seeds.put("donor-dump", clients(m, prelude(m, m.configuration(), 3)
                .u8(2).u8(0).i64(123_456_789L), 12) // op 2: a donor on another clock with 12 clients
                .u8(0).u8(0) // no mutation, not resealed
                .u8(3).u8(1).u16(50) // op 3: the clock moves on
                .u8(1).u8(0).u8(0) // op 1: own dump again
                .toByteArray());
        seeds.put("over-full-raw", prelude(m, m.smallConfiguration(), 2) // max.entries 4
                .u8(0).blob(m.realDump(20, 1_000)).toByteArray());
        seeds.put("raw-real-dump", prelude(m, m.configuration(), 1)
                .u8(0).blob(m.realDump(4, 1_000)).toByteArray());
        seeds.put("mutated-resealed", prelude(m, m.configuration(), 4)
                .u8(1).u8(2) // op 1, two mutations:
                .u16(22).u8(2).i32(100) // a u32 in the header or the first entries
                .u16(30).u8(0).u8(1) // a bit flips
                .u8(1) // resealed
                .toByteArray());
        if (m.spec() == TrackerStateFuzzTest.SPEC) {
            FuzzInput.Writer synthesized = prelude(m, m.configuration(), 0);
            synthesizeDefault(synthesized, 3, false);
            synthesizeDefault(synthesized, 2, true);
            seeds.put("synthesized", synthesized.toByteArray());
            FuzzInput.Writer overFull = prelude(m, m.smallConfiguration(), 0);
            synthesizeDefault(overFull, 12, false);
            seeds.put("synthesized-over-full", overFull.toByteArray());
        } else {
            for (int version = 1; version <= 2; version++) {
                FuzzInput.Writer w = prelude(m, m.configuration(), 0);
                synthesizeFramed(m, w, version, 3, false);
                synthesizeFramed(m, w, version, 2, true);
                seeds.put("synthesized-v" + version, w.toByteArray());
            }
        }
        return seeds;
    }

    /** Configuration, clock 1000 s, cluster created, {@code n} distinct clients. */
    private static FuzzInput.Writer prelude(ModuleSeeds m, byte[] configuration, int n) {
        FuzzInput.Writer w = new FuzzInput.Writer().bytes(configuration).u8(1).u16(1_000).u8(1);
        return clients(m, w, n);
    }

    /**
     * A traffic block: {@code n} distinct clients 10.0.0.(i+1):40000+i (TCP: SYN), owners picked in
     * turn, 10 ms apart; every third one the first fragment of a fragmented datagram.
     */
    private static FuzzInput.Writer clients(ModuleSeeds m, FuzzInput.Writer w, int n) {
        w.u8(n);
        if (m.protocolByte()) {
            w.u8(1);
        }
        for (int i = 0; i < n; i++) {
            w.u8(1).u8(i + 1).u8(0).u8(i).u8(m.flags()).u8(i % 3 == 2 ? 1 | i << 2 : 0).u8(i % 3).u8(10);
        }
        return w;
    }

    /** Operation 4, default format: {@code n} entries (the second one repeating the first key if asked). */
    private static void synthesizeDefault(FuzzInput.Writer w, int n, boolean repeatKey) {
        w.u8(4).u8(0).u8(n).u8(5).u8(6); // op, control, n, sender clock 5 s, idle 1 + 6 * 997 ms
        for (int i = 0; i < n; i++) {
            key(w, repeatKey && i == 1, i);
            w.u8(i % 3).u8(4 + i); // owner, last seen (s)
        }
    }

    /** Operation 4, StateDump framing: every table of {@code version} with {@code n} entries. */
    private static void synthesizeFramed(ModuleSeeds m, FuzzInput.Writer w, int version, int n, boolean repeatKey) {
        w.u8(4).u8(0).u8(version - 1).u8(5); // op, control, version, sender clock 5 s
        int parameters = m.spec() == TcpStateFuzzTest.SPEC ? TcpStateFuzzTest.FORMAT.parameters(version)
                : UdpStateFuzzTest.FORMAT.parameters(version);
        for (int p = 0; p < parameters; p++) {
            w.u8(20 + p); // seconds (the first one on top of 300 s)
        }
        for (int t = 0; t < version; t++) {
            w.u8(n);
            for (int i = 0; i < n; i++) {
                key(w, repeatKey && i == 1, i);
                w.u8(i % 3).u8(4 + i);
                if (m.spec() == TcpStateFuzzTest.SPEC && t == 0) {
                    w.u8(i % 5); // state 1 + i % 5
                }
            }
        }
    }

    private static void key(FuzzInput.Writer w, boolean repeat, int i) {
        if (repeat) {
            w.u8(1); // the same key as before
        } else {
            w.u8(0).u8(i); // the next key
        }
    }

    // ---------------------------------------------------------------- target 3

    static Map<String, byte[]> datagram() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] udp = Packets.ipv4(0x0A00_0001, 17, 40_000, 53, 0);
        byte[] tcp = Packets.ipv4(0x0A00_0002, 6, 40_001, 80, Datagram.TCP_SYN);
        byte[] fragment = udp.clone();
        ByteBuffer.wrap(fragment).putShort(6, (short) 0x2000); // more fragments, offset 0
        byte[] later = udp.clone();
        ByteBuffer.wrap(later).putShort(6, (short) 0x0003); // offset 24, last
        byte[] options = Packets.ipv4(0x0A00_0003, 17, 1, 2, 0);
        byte[] ipv6Udp = Packets.ipv6(0x2001_0DB8_0000_0000L, 1, 17, new byte[] {(byte) 0x9C, 0x40, 0, 53, 0, 8, 0, 0});
        byte[] hopThenTcp = Packets.ipv6(0x2001_0DB8_0000_0000L, 2, 0, concat(new byte[] {6, 0, 0, 0, 0, 0, 0, 0},
                tcpHeader()));
        byte[] fragmentFirst = Packets.ipv6(0x2001_0DB8_0000_0000L, 3, 44, concat(new byte[] {17, 0, 0, 1, 0, 0, 0, 9},
                new byte[] {0, 1, 0, 2, 0, 8, 0, 0}));
        byte[] fragmentLater = Packets.ipv6(0x2001_0DB8_0000_0000L, 3, 44, concat(new byte[] {17, 0, 0, 8, 0, 0, 0, 9},
                new byte[8]));
        byte[] routingDestNone = Packets.ipv6(1, 4, 43, concat(new byte[] {60, 0, 0, 0, 0, 0, 0, 0},
                new byte[] {59, 0, 0, 0, 0, 0, 0, 0}));
        Map<String, byte[]> packets = new LinkedHashMap<>();
        packets.put("ipv4-udp", udp);
        packets.put("ipv4-tcp-syn", tcp);
        packets.put("ipv4-first-fragment", fragment);
        packets.put("ipv4-later-fragment", later);
        packets.put("ipv4-short-options", options);
        packets.put("ipv6-udp", ipv6Udp);
        packets.put("ipv6-hop-by-hop-tcp", hopThenTcp);
        packets.put("ipv6-first-fragment", fragmentFirst);
        packets.put("ipv6-later-fragment", fragmentLater);
        packets.put("ipv6-routing-dest-none", routingDestNone);
        for (Map.Entry<String, byte[]> p : packets.entrySet()) {
            // exact range; padded range in a little-endian direct buffer; a limit that cuts the packet
            seeds.put(p.getKey(), new FuzzInput.Writer().u8(0).u8(0).u8(0).i32(0).i32(0).bytes(p.getValue()).toByteArray());
            seeds.put(p.getKey() + "-padded-le-direct", new FuzzInput.Writer().u8(0x20 | 0x3).u8(3).u8(6).i32(0).i32(0)
                    .bytes(p.getValue()).toByteArray());
            seeds.put(p.getKey() + "-cut", new FuzzInput.Writer().u8(0x10 | 0x4).u8(0).u8(0).u16(p.getValue().length - 3)
                    .i32(0).i32(0).bytes(p.getValue()).toByteArray());
        }
        return seeds;
    }

    private static byte[] tcpHeader() {
        byte[] t = new byte[20];
        t[1] = 1;
        t[3] = 80;
        t[12] = 0x50;
        t[13] = Datagram.TCP_SYN | Datagram.TCP_ACK;
        return t;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---------------------------------------------------------------- target 4

    /** Builds engine programs: one method per operation of {@link EngineFuzzTest}. */
    private static final class Program {
        final FuzzInput.Writer w = new FuzzInput.Writer();
        final boolean keyed;

        Program(boolean keyed, boolean perProtocol) {
            this.keyed = keyed;
            w.u8((keyed ? 1 : 0) | (perProtocol ? 2 : 0));
        }

        /** A message from {@code source}, sealed with the cluster key when there is one, in 1500-byte frames. */
        Program send(long source, WireMessage m) {
            w.u8(1);
            Wire.writeNode(w, source);
            checkedMessage(w, m).u8(0).u8(1).u8(1);
            int frames = Wire.frames(m, 1500, keyed ? Wire.sealer(Wire.KEY) : null, source, 0).size();
            for (int i = 0; i < frames; i++) {
                w.u8(0).u8(0).u8(0);
            }
            return this;
        }

        Program udp(int source, int port) {
            w.u8(3).u8(0).i32(source).u16(port).u16(53).u8(1).u8(0).u8(0);
            return this;
        }

        Program tcp(int client, int flags) {
            w.u8(3).u8(1).u8(1).u8(client).u16(40_000 + client).u8(flags).u8(1).u8(0).u8(0);
            return this;
        }

        Program ipv6(long low) {
            w.u8(3).u8(2).i64(0x2001_0DB8_0000_0000L).i64(low).u8(17)
                    .blob(new byte[] {(byte) 0x9C, 0x40, 0, 53, 0, 8, 0, 0}).u8(1).u8(0).u8(0);
            return this;
        }

        Program arp() {
            w.u8(4).u8(4).i32(0x0A00_0001).u8(0).u8(0).u8(0);
            return this;
        }

        Program time(int millis) {
            if (millis < 256) {
                w.u8(5).u8(1).u8(millis);
            } else {
                w.u8(5).u8(0).u16(millis);
            }
            return this;
        }

        Program swap(int protocolChoice, boolean leave) {
            w.u8(6).u8(protocolChoice).u8(leave ? 1 : 0);
            if (!leave) {
                w.u8(60).u8(63);
            }
            return this;
        }

        byte[] bytes() {
            return w.toByteArray();
        }
    }

    static View view(long epoch, long... nodes) {
        List<Member> members = new ArrayList<>();
        for (long node : nodes) {
            members.add(new Member(node, 10));
        }
        return new View(epoch, members);
    }

    /** {@link Findings#DUPLICATE_VIEW_MEMBER}: a PREPARE from the node below this one naming the peer twice. */
    static byte[] duplicateViewMember() {
        View twice = new View(5, List.of(new Member(PEER, 10), new Member(PEER, 10)));
        return new Program(false, false).send(LOWER, prepare(twice)).bytes();
    }

    static Map<String, byte[]> engine() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (boolean keyed : new boolean[] {false, true}) {
            String k = keyed ? "keyed-" : "";
            // A peer announces itself as an observer; this node proposes {self, peer}; PREPARED; datagrams race the
            // commit window; COMMITTED closes it; the peer leaves.
            seeds.put(k + "peer-joins-and-leaves", new Program(keyed, false)
                    .send(PEER, WireMessage.join(10)).send(PEER, WireMessage.heartbeat(1, 10, 2)).time(30)
                    .send(PEER, WireMessage.prepared(2)).udp(0x0A00_0001, 40_000).tcp(2, Datagram.TCP_SYN).ipv6(5)
                    .send(PEER, WireMessage.committed(2, false, new int[0], new long[0], new long[0]))
                    .udp(0x0A00_0003, 40_001).time(200).send(PEER, WireMessage.leave()).time(500).bytes());
            // A node below this one leads: PREPARE and COMMIT of {lower, self} at epoch 5, then it asks for a retransmit.
            seeds.put(k + "lower-node-leads", new Program(keyed, true)
                    .send(LOWER, WireMessage.heartbeat(4, 10, 3)).send(LOWER, prepare(view(5, LOWER, Wire.SELF)))
                    .udp(0x0A00_0004, 40_002).send(LOWER, commit(view(5, LOWER, Wire.SELF)))
                    .send(LOWER, WireMessage.askRetransmit(Wire.SELF, 1)).tcp(5, Datagram.TCP_FIN).time(300).bytes());
            // Removed from the view: this node rejoins; WELCOME and a CONNTRACK dump of protocol 0 bring it back.
            seeds.put(k + "removed-then-welcomed", new Program(keyed, false)
                    .send(LOWER, commit(view(7, LOWER, PEER))).time(20).udp(0x0A00_0005, 40_003)
                    .send(LOWER, welcome(Wire.SELF, view(8, LOWER, PEER, Wire.SELF), new int[] {0}))
                    .send(LOWER, WireMessage.conntrack(Wire.SELF, 0, trackerDump(6, 2_000))).udp(0x0A00_0006, 40_004)
                    .time(300).bytes());
        }
        seeds.put("traffic-arp-and-hot-swap", new Program(false, true)
                .udp(0x0A00_0007, 1).arp().tcp(8, Datagram.TCP_SYN).swap(0, true).udp(0x0A00_0008, 2).time(100)
                .swap(0, false).swap(1, true).tcp(9, Datagram.TCP_ACK).time(2_500).tcp(9, Datagram.TCP_ACK).bytes());
        seeds.put("retransmit-and-join-served", new Program(false, false)
                .send(PEER, WireMessage.retransmit(1, 10, 2)).send(PEER, WireMessage.askRetransmit(Wire.SELF, 0))
                .send(PEER, WireMessage.join(10)).time(150).bytes());
        return seeds;
    }

}
