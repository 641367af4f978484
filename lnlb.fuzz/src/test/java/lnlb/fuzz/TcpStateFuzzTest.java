package lnlb.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import lnlb.core.api.ProtocolModule;
import lnlb.core.testing.FakeCluster;
import lnlb.module.tcp.internal.TcpTimeouts;
import lnlb.module.tcp.internal.TcpTracker;

/**
 * Target 2 for the TCP tracker (protocol 6): {@link TcpTracker#loadState}, see
 * {@link ModuleStateHarness} for the properties; dumps are also synthesised in its {@code "LNTC"}
 * framing (versions 1 and 2, connection states, fragment tables), see {@link StateDumpFormat}.
 */
class TcpStateFuzzTest {
    static final StateDumpFormat.Module FORMAT = new StateDumpFormat.Module() {
        @Override
        public int magic() {
            return 0x4C4E_5443;
        }

        @Override
        public int parameters(int version) {
            return version == 1 ? 4 : 5;
        }

        @Override
        public int tables(int version) {
            return version == 1 ? 1 : 2;
        }

        @Override
        public int state(int table, FuzzInput in) {
            return table == 0 ? 1 + in.below(5) : 0;
        }
    };

    static final ModuleStateHarness.Spec SPEC = new ModuleStateHarness.Spec() {
        @Override
        public int configurationBytes() {
            return 4;
        }

        @Override
        public ProtocolModule create(FuzzInput in) {
            int idle = 60 + in.u8();
            return new TcpTracker(TcpTimeouts.ofSeconds(idle, 1 + in.u8() % 60, 30, 10, 5), 1 + in.u8() % 40,
                    1 + in.u8() % 16);
        }

        @Override
        public int protocol() {
            return 6;
        }

        @Override
        public int entries(ProtocolModule module, FakeCluster cluster) {
            TcpTracker tracker = (TcpTracker) module;
            return tracker.entries(cluster) * 1_000 + tracker.fragments(cluster);
        }

        @Override
        public byte[] normalize(byte[] dump) {
            return StateDumpFormat.normalize(dump);
        }

        @Override
        public byte[] synthesize(FuzzInput in) {
            return StateDumpFormat.synthesize(FORMAT, in);
        }
    };

    @FuzzTest(maxDuration = "5s")
    void loadState(byte[] data) {
        ModuleStateHarness.run(SPEC, data);
    }
}
