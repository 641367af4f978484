package lnlb.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import lnlb.core.api.FrameReceiver;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.ClusterRunner;
import lnlb.core.api.run.MemoryNetwork;
import lnlb.core.api.run.NodeState;
import lnlb.core.api.run.RunningCluster;
import lnlb.core.api.run.VirtualClock;
import lnlb.core.api.wire.FrameAuthenticator;
import lnlb.core.api.wire.WireMessage;
import lnlb.module.dflt.internal.DefaultTracker;

/**
 * Target 4: the engine end to end. A single node founds its cluster on an in-memory hub in virtual
 * time (as the simulation builds nodes, through {@link ClusterRunner}), then its engine gets fuzzed frames:
 * raw bytes; cluster messages of every type, well formed and sent by a real fragmenter from this
 * node's peers, from a node below it, from itself or from a stranger (sealed with the cluster key,
 * another key or none), whole or with fragments lost, repeated or corrupted; datagrams of clients
 * (IPv4, IPv6, raw IP); ARP requests; with virtual time running between them (heartbeats, view
 * changes, timeouts), and modules coming and going (hot swap).
 *
 * <p>Properties: nothing escapes {@code onFrame} or the loop's timers; the wire counters account for
 * every cluster frame.
 *
 * <p>Input program: a setup byte (bit 0: the cluster has a key; bit 1: TCP and UDP slots get
 * modules too), then up to 48 operations.
 */
class EngineFuzzTest {
    static final int MAX_OPERATIONS = 48;

    @FuzzTest(maxDuration = "6s")
    void onFrame(byte[] data) {
        run(data);
    }

    /** Runs one input; returns the node, for tests that look at where it ended. */
    static Node run(byte[] data) {
        Run run = new Run(new FuzzInput(data));
        run.go();
        return run.node;
    }

    /** A founded single-node cluster, as {@link Run} builds it (tests and seeds use it too). */
    static final class Node {
        final VirtualClock time = new VirtualClock(0);
        final MemoryNetwork hub = MemoryNetwork.simulated(time, 1);
        final RunningCluster cluster;
        /** Where the fuzzed frames go in. */
        final FrameReceiver engine;
        final boolean keyed;

        Node(boolean keyed, boolean perProtocolModules) {
            this.keyed = keyed;
            ClusterConfig config = new ClusterConfig("fuzz0", Wire.VIP, "eth0", 100, 3, 64, 64, 300,
                    keyed ? Wire.KEY_HEX : null, null, 0, false);
            ClusterRunner runner = ClusterRunner.of(config, hub.attach(Wire.SELF, "fuzz0", 1500))
                    .weights(() -> 10)
                    .virtualTime(time)
                    .module(ProtocolModule.DEFAULT_HANDLER, new DefaultTracker(60_000, 64));
            if (perProtocolModules) {
                runner.module(6, new DefaultTracker(60_000, 64)).module(17, new DefaultTracker(60_000, 64));
            }
            cluster = runner.start();
            engine = cluster.receiver();
            if (!time.runUntil(() -> cluster.state() == NodeState.MEMBER, 10_000)) {
                throw new IllegalStateException("the node did not found its cluster: " + cluster.state());
            }
        }

        /** Runs the loop's timers for {@code millis} of virtual time. */
        void run(long millis) {
            try {
                time.runFor(millis);
            } catch (RuntimeException e) {
                Findings.tolerate(e); // the loop logs a failed task and goes on, so does the harness
            }
        }

        void frame(byte[] frame, int before, int after) {
            ByteBuffer buffer = Wire.place(frame, before, after, false, false);
            try {
                engine.onFrame(buffer, before, frame.length);
            } catch (RuntimeException e) {
                Findings.tolerate(e); // an open finding: the loop logs it and goes on, so does the harness
            }
        }
    }

    private static final class Run {
        final FuzzInput in;
        final Node node;
        FrameAuthenticator sealer;
        FrameAuthenticator wrongSealer;
        int messageId;

        Run(FuzzInput in) {
            this.in = in;
            int setup = in.u8();
            node = new Node((setup & 1) != 0, (setup & 2) != 0);
        }

        void go() {
            for (int op = 0; op < MAX_OPERATIONS && in.more(); op++) {
                switch (in.u8() % 7) {
                    case 0 -> frame(in.blob(1600));
                    case 1, 2 -> message();
                    case 3 -> datagram();
                    case 4 -> frame(Packets.arpRequest(Wire.node(in), in.i32(), in.bool() ? in.i32() : 0x0A00_0064));
                    case 5 -> node.run(in.below(4) == 0 ? in.u16() % 5_000 : in.u8());
                    default -> swap();
                }
                check();
            }
            node.run(500); // let timers react to the last frames
            check();
        }

        private void frame(byte[] frame) {
            node.frame(frame, in.below(4), in.below(4));
        }

        private void message() {
            long source = Wire.node(in);
            WireMessage message = Wire.message(in);
            FrameAuthenticator seal = switch (in.u8() % 4) {
                case 0, 1 -> node.keyed ? (sealer != null ? sealer : (sealer = Wire.sealer(Wire.KEY))) : null;
                case 2 -> null;
                default -> wrongSealer != null ? wrongSealer : (wrongSealer = Wire.sealer(Wire.WRONG_KEY));
            };
            int mtu = in.below(4) == 0 ? 39 + in.u8() : 1500;
            List<byte[]> frames = Wire.frames(message, mtu, seal, source, in.bool() ? messageId++ : in.i32());
            for (byte[] frame : frames) {
                int action = in.below(16);
                if (action == 13) {
                    continue; // lost
                }
                if (action == 14 && frame.length > 0) {
                    frame[in.u16() % frame.length] ^= (byte) (in.u8() | 1);
                }
                frame(frame);
                if (action == 15) {
                    frame(frame);
                }
            }
        }

        private void datagram() {
            int kind = in.u8() % 4;
            byte[] ip = switch (kind) {
                case 0 -> Packets.ipv4(in.i32(), 17, in.u16(), in.u16(), 0);
                case 1 -> Packets.ipv4(in.bool() ? 0x0A00_0000 | in.u8() : in.i32(), 6, in.u16(), 80, in.u8());
                case 2 -> Packets.ipv6(in.i64(), in.i64(), in.u8(), in.blob(256));
                default -> in.blob(1500);
            };
            int etherType = kind == 2 || kind == 3 && in.bool() ? 0x86DD : 0x0800;
            long destination = in.below(8) == 0 ? Wire.node(in) : Wire.CLUSTER_MAC;
            frame(Packets.ethernet(destination, Wire.NODES[4], etherType, ip));
        }

        /** A module leaves or arrives on protocol 0, 6 or 17 (state handed over or orphaned). */
        private void swap() {
            int protocol = switch (in.u8() % 3) {
                case 0 -> ProtocolModule.DEFAULT_HANDLER;
                case 1 -> 6;
                default -> 17;
            };
            node.cluster.serve(protocol, in.bool() ? null : new DefaultTracker(1 + in.u8() * 1000L, 1 + in.u8() % 64));
        }

        private void check() {
            Map<String, Long> c = node.cluster.counters().wire();
            long accounted = 0;
            for (Map.Entry<String, Long> e : c.entrySet()) {
                accounted += NOT_OUTCOMES.contains(e.getKey()) ? 0 : e.getValue();
            }
            if (c.get("received") != accounted) {
                throw new AssertionError("received " + c.get("received") + " != accounted " + accounted + ": " + c);
            }
        }

        /** The wire counters that are not the outcome of a received frame; every other one is. */
        private static final Set<String> NOT_OUTCOMES = Set.of("received", "reassembled", "reassemblyTimeouts",
                "reassemblyEvictions");
    }
}
