package lnlb.tap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import lnlb.core.api.NodeAddress;
import lnlb.tap.internal.linux.Kernel;
import org.junit.jupiter.api.Test;

/**
 * The cluster filter, run by a small classic-BPF interpreter (the subset the program uses, with
 * the kernel's rule that a load past the end rejects the frame) over golden frames.
 */
class ClusterFilterTest {
    private static final int HOST = 0;
    private static final int BROADCAST = 1;
    private static final int OTHERHOST = 3;

    private final long clusterMac;
    private final int vip;
    private final long[] program;

    ClusterFilterTest() throws Exception {
        InetAddress address = InetAddress.getByName("10.77.0.100");
        clusterMac = NodeAddress.unicastClusterMac(address);
        vip = ByteBuffer.wrap(address.getAddress()).getInt();
        program = ClusterFilter.program(clusterMac, vip);
    }

    @Test
    void passesEveryEtherTypeToTheClusterMac() {
        assertTrue(accepts(frame(clusterMac, 0x0800, 60), OTHERHOST), "IPv4");
        assertTrue(accepts(frame(clusterMac, 0x86DD, 80), OTHERHOST), "IPv6");
        assertTrue(accepts(frame(clusterMac, 0x88B5, 60), OTHERHOST), "cluster message");
        assertTrue(accepts(frame(clusterMac, 0x0800, 64 * 1024), OTHERHOST), "GSO super-frame");
    }

    @Test
    void acceptsWholeFrames() {
        assertEquals(0xFFFF_FFFFL, run(frame(clusterMac, 0x0800, 64 * 1024), OTHERHOST) & 0xFFFF_FFFFL);
    }

    @Test
    void passesArpRequestsForTheVipOnly() {
        assertTrue(accepts(arp(1, vip), BROADCAST), "request for the VIP");
        assertFalse(accepts(arp(1, vip + 1), BROADCAST), "request for another address");
        assertFalse(accepts(arp(2, vip), BROADCAST), "reply about the VIP");
        ByteBuffer truncated = arp(1, vip).limit(40);
        assertFalse(accepts(truncated.slice(), BROADCAST), "truncated request");
    }

    @Test
    void dropsEverythingElse() {
        assertFalse(accepts(frame(0x0200_0a4d_0065L, 0x0800, 60), OTHERHOST), "another cluster's MAC");
        assertFalse(accepts(frame(clusterMac ^ 0x1, 0x0800, 60), OTHERHOST), "same first four bytes");
        assertFalse(accepts(frame(clusterMac ^ 0x0100_0000L, 0x0800, 60), OTHERHOST), "same last two bytes");
        assertFalse(accepts(frame(0xFFFF_FFFF_FFFFL, 0x0800, 60), BROADCAST), "IPv4 broadcast");
        assertFalse(accepts(frame(0x7a92_e018_dbf4L, 0x0800, 60), HOST), "the node's own unicast");
        assertFalse(accepts(frame(clusterMac, 0x0800, 4), OTHERHOST), "runt");
    }

    @Test
    void neverPassesOwnTransmissions() {
        assertFalse(accepts(frame(clusterMac, 0x88B5, 60), Kernel.PACKET_OUTGOING));
        assertFalse(accepts(arp(1, vip), Kernel.PACKET_OUTGOING));
    }

    private boolean accepts(ByteBuffer frame, int pktType) {
        return run(frame, pktType) != 0;
    }

    private static ByteBuffer frame(long destination, int etherType, int length) {
        ByteBuffer frame = ByteBuffer.allocate(length);
        if (length >= 14) {
            NodeAddress.write(frame, 0, destination);
            NodeAddress.write(frame, 6, 0x7a92_e018_dbf4L);
            frame.putShort(12, (short) etherType);
        }
        return frame;
    }

    /** An Ethernet/IPv4 ARP packet (RFC 826) with the given opcode and target protocol address. */
    private static ByteBuffer arp(int opcode, int target) {
        ByteBuffer frame = frame(0xFFFF_FFFF_FFFFL, lnlb.core.api.Ethernet.TYPE_ARP, 60);
        frame.putShort(14, (short) 1).putShort(16, (short) 0x0800).put(18, (byte) 6).put(19, (byte) 4);
        frame.putShort(20, (short) opcode);
        NodeAddress.write(frame, 22, 0x7a92_e018_dbf4L);
        frame.putInt(28, 0x0a4d_00c8);
        frame.putInt(38, target);
        return frame;
    }

    /** Classic BPF: LD W/H/B ABS (with the pkttype ancillary load), JEQ K, RET K. */
    private int run(ByteBuffer frame, int pktType) {
        int a = 0;
        for (int pc = 0; pc < program.length; pc++) {
            long insn = program[pc];
            int code = (int) (insn >>> 48) & 0xFFFF;
            int jt = (int) (insn >>> 40) & 0xFF;
            int jf = (int) (insn >>> 32) & 0xFF;
            int k = (int) insn;
            switch (code) {
                case Kernel.BPF_LD | Kernel.BPF_W | Kernel.BPF_ABS:
                    if (k == Kernel.SKF_AD_OFF + Kernel.SKF_AD_PKTTYPE) {
                        a = pktType;
                    } else if (k + 4 > frame.limit()) {
                        return 0;
                    } else {
                        a = frame.getInt(k);
                    }
                    break;
                case Kernel.BPF_LD | Kernel.BPF_H | Kernel.BPF_ABS:
                    if (k + 2 > frame.limit()) {
                        return 0;
                    }
                    a = frame.getShort(k) & 0xFFFF;
                    break;
                case Kernel.BPF_JMP | Kernel.BPF_JEQ | Kernel.BPF_K:
                    pc += a == k ? jt : jf;
                    break;
                case Kernel.BPF_RET | Kernel.BPF_K:
                    return k;
                default:
                    throw new AssertionError("instruction " + Integer.toHexString(code) + " not modelled");
            }
        }
        throw new AssertionError("program fell off its end");
    }
}
