package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.FrameReceiver;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.ClusterCounters;
import org.junit.jupiter.api.Test;

/** Bad frames and bad modules are counted and contained; the cluster keeps working. */
class RobustnessTest {
    private final SimulatedCluster sim = new SimulatedCluster(100, 3, 1);
    private final ClusterConfig config = sim.config("nlb0", "10.0.0.10");

    @Test
    void garbageFramesAreCountedAndTheClusterLivesOn() {
        SimNode a = sim.startAndJoin(config, 0x0200_0000_0001L, 1);
        sim.startAndJoin(config, 0x0200_0000_0002L, 1);
        FrameReceiver engine = a.engine().receiver();
        Random random = new Random(7);
        ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        long valid = Frames.udp(1, config.clusterMac(), 0x0A000001, 9, 0x0A00000A, 1).capacity();
        for (int i = 0; i < 100_000; i++) {
            int length = random.nextInt(200);
            for (int j = 0; j < length; j++) {
                buffer.put(j, (byte) random.nextInt(256));
            }
            if (i % 3 == 0 && length >= 14) {
                NodeAddress.write(buffer, 0, config.clusterMac()); // aimed at the cluster
                buffer.putShort(12, (short) (i % 2 == 0 ? 0x0800 : 0x88B5));
            }
            engine.onFrame(buffer, 0, length);
        }
        ClusterCounters counters = a.engine().counters();
        assertTrue(counters.malformedDatagrams() > 1000, "malformed " + counters.malformedDatagrams());
        assertTrue(valid > 0);
        sim.run(1000);
        assertTrue(sim.converged(config), "the cluster survived the garbage");
        Ledger ledger = new Ledger(sim, config);
        assertEquals(2, Ledger.perNode(ledger.round(0x0A0A_0000, 500)).size());
    }

    @Test
    void aThrowingModuleIsContainedAndCounted() {
        SimNode a = sim.startAndJoin(config, 0x0200_0000_0001L, 1);
        ProtocolModule broken = new ProtocolModule() {
            @Override
            public long related(Cluster cluster, Datagram datagram) {
                throw new IllegalStateException("broken on purpose");
            }

            @Override
            public void assigned(Cluster cluster, Datagram datagram, long node) {
            }

            @Override
            public void nodeDied(Cluster cluster, long node) {
            }

            @Override
            public void clusterCreated(Cluster cluster) {
            }

            @Override
            public void clusterDeleted(Cluster cluster) {
            }

            @Override
            public byte[] saveState(Cluster cluster) {
                return new byte[0];
            }

            @Override
            public void loadState(Cluster cluster, byte[] state) {
            }
        };
        a.engine().serve(6, broken);
        long tcp = sim.sendTcp(config, 0x0A0B_0001, 1234, Datagram.TCP_SYN);
        long udp = sim.sendUdp(config, 0x0A0B_0001, 1234);
        sim.run(10);
        assertEquals(0, sim.acceptedBy(tcp).size(), "the broken module's datagram is dropped");
        assertEquals(1, sim.acceptedBy(udp).size(), "other protocols still flow");
        assertEquals(1, a.engine().counters().moduleErrors());
        a.engine().serve(6, null);
        long again = sim.sendTcp(config, 0x0A0B_0001, 1234, Datagram.TCP_SYN);
        sim.run(10);
        assertEquals(0, sim.acceptedBy(again).size(), "held while protocol 6 waits for its module");
        assertEquals(1, a.engine().counters().swapHeld());
        sim.run(ClusterConfig.DEFAULT_SWAP_GRACE_MILLIS);
        assertEquals(1, sim.acceptedBy(again).size(), "after the grace period protocol 0 serves");
    }

    @Test
    void withoutAnyModuleDatagramsAreDroppedAndCounted() {
        SimNode a = sim.startAndJoin(config, 0x0200_0000_0001L, 1);
        a.engine().serve(0, null);
        long seq = sim.sendUdp(config, 0x0A0C_0001, 1);
        sim.run(ClusterConfig.DEFAULT_SWAP_GRACE_MILLIS + 10);
        assertEquals(0, sim.acceptedBy(seq).size());
        assertEquals(1, a.engine().counters().swapHeld());
        assertEquals(1, a.engine().counters().noModule());
    }
}
