package lnlb.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import lnlb.core.api.ProtocolModule;
import lnlb.core.testing.FakeCluster;
import lnlb.module.dflt.internal.DefaultTracker;

/**
 * Target 2 for the default tracker (protocol 0): {@link DefaultTracker#loadState}, see
 * {@link ModuleStateHarness} for the properties. It writes format 2 (the {@code StateDump} framing,
 * compared through {@link StateDumpFormat#normalize}) and still reads format 1 ("LNDF" v1: 26-byte
 * header, 22-byte entries, CRC-32), which is synthesised here field by field: counts that lie,
 * duplicate keys, timestamps at the extremes, more entries than {@code max.entries}.
 */
class TrackerStateFuzzTest {
    static final ModuleStateHarness.Spec SPEC = new ModuleStateHarness.Spec() {
        @Override
        public int configurationBytes() {
            return 2;
        }

        @Override
        public ProtocolModule create(FuzzInput in) {
            long idleMillis = 1 + in.u8() * 997L;
            return new DefaultTracker(idleMillis, 1 + in.u8() % 40);
        }

        @Override
        public int protocol() {
            return 0;
        }

        @Override
        public int entries(ProtocolModule module, FakeCluster cluster) {
            return ((DefaultTracker) module).entries(cluster);
        }

        @Override
        public byte[] normalize(byte[] dump) {
            return StateDumpFormat.normalize(dump);
        }

        @Override
        public byte[] synthesize(FuzzInput in) {
            int control = in.u8();
            int n = in.below(48);
            int announced = (control & 1) != 0 ? in.u8() : n;
            ByteBuffer dump = ByteBuffer.allocate(26 + 22 * n + 4);
            dump.putInt(0, (control & 2) != 0 ? in.i32() : 0x4C4E_4446);
            dump.putShort(4, (short) ((control & 4) != 0 ? in.u16() : 1));
            dump.putLong(6, Wire.smallOrAny(in) * 1000);
            dump.putLong(14, (control & 8) != 0 ? in.i64() : 1 + in.u8() * 997L);
            dump.putInt(22, announced);
            long key = 0;
            for (int i = 0; i < n; i++) {
                int at = 26 + 22 * i;
                key = in.bool() ? key : key + 1 + in.u8(); // a repeated key now and then
                dump.putLong(at, (control & 16) != 0 ? in.i64() : key);
                lnlb.core.api.NodeAddress.write(dump, at + 8, Wire.node(in));
                dump.putLong(at + 14, Wire.smallOrAny(in) * 1000);
            }
            return ModuleStateHarness.reseal(dump.array());
        }
    };

    @FuzzTest(maxDuration = "5s")
    void loadState(byte[] data) {
        ModuleStateHarness.run(SPEC, data);
    }
}
