package lnlb.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import lnlb.core.api.ProtocolModule;
import lnlb.core.testing.FakeCluster;
import lnlb.module.udp.internal.UdpTracker;

/**
 * Target 2 for the UDP tracker (protocol 17): {@link UdpTracker#loadState}, see
 * {@link ModuleStateHarness} for the properties; dumps are also synthesised in its {@code "LNUD"}
 * framing (versions 1 and 2, fragment tables), see {@link StateDumpFormat}.
 */
class UdpStateFuzzTest {
    static final StateDumpFormat.Module FORMAT = new StateDumpFormat.Module() {
        @Override
        public int magic() {
            return 0x4C4E_5544;
        }

        @Override
        public int parameters(int version) {
            return version == 1 ? 1 : 2;
        }

        @Override
        public int tables(int version) {
            return version == 1 ? 1 : 2;
        }

        @Override
        public int state(int table, FuzzInput in) {
            return 0;
        }
    };

    static final ModuleStateHarness.Spec SPEC = new ModuleStateHarness.Spec() {
        @Override
        public int configurationBytes() {
            return 4;
        }

        @Override
        public ProtocolModule create(FuzzInput in) {
            return new UdpTracker(1 + in.u8() * 997L, 1 + in.u8() * 97L, 1 + in.u8() % 40, 1 + in.u8() % 16);
        }

        @Override
        public int protocol() {
            return 17;
        }

        @Override
        public int entries(ProtocolModule module, FakeCluster cluster) {
            UdpTracker tracker = (UdpTracker) module;
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
