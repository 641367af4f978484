package lnlb.tap.internal;

import static lnlb.tap.internal.linux.Kernel.ARPOP_REQUEST;
import static lnlb.tap.internal.linux.Kernel.BPF_ABS;
import static lnlb.tap.internal.linux.Kernel.BPF_H;
import static lnlb.tap.internal.linux.Kernel.BPF_JEQ;
import static lnlb.tap.internal.linux.Kernel.BPF_JMP;
import static lnlb.tap.internal.linux.Kernel.BPF_K;
import static lnlb.tap.internal.linux.Kernel.BPF_LD;
import static lnlb.tap.internal.linux.Kernel.BPF_RET;
import static lnlb.tap.internal.linux.Kernel.BPF_W;
import static lnlb.tap.internal.linux.Kernel.PACKET_OUTGOING;
import static lnlb.tap.internal.linux.Kernel.SKF_AD_OFF;
import static lnlb.tap.internal.linux.Kernel.SKF_AD_PKTTYPE;
import static lnlb.tap.internal.linux.PacketSocket.instruction;

import lnlb.core.api.Ethernet;

/**
 * The classic BPF program on a cluster's packet socket. It passes exactly:
 * <ul>
 * <li>frames whose destination MAC is the cluster MAC, whatever their EtherType (client IPv4 and
 *     IPv6, cluster messages, unicast ARP probes);</li>
 * <li>ARP requests whose target protocol address is the VIP (broadcast, from clients and routers);</li>
 * </ul>
 * and never a frame this host sends (pkt_type PACKET_OUTGOING), for kernels without
 * PACKET_IGNORE_OUTGOING. Offsets are from the start of the Ethernet header (the virtio-net header
 * is not part of what the filter sees). Untagged frames only.
 */
public final class ClusterFilter {
    /** ARP after the Ethernet header ({@link Ethernet}): opcode at +6, target IP at +24. */
    static final int ARP_OPCODE_OFFSET = Ethernet.HEADER_LENGTH + 6;
    static final int ARP_TARGET_IP_OFFSET = Ethernet.HEADER_LENGTH + 24;
    /** "Accept the whole frame": GSO frames exceed any snap length worth naming. */
    static final int ACCEPT = 0xFFFF_FFFF;

    private ClusterFilter() {
    }

    /** The program for a cluster; {@code vip} is the IPv4 address as a big-endian int. */
    public static long[] program(long clusterMac, int vip) {
        int macHigh = (int) (clusterMac >>> 16);
        int macLow = (int) clusterMac & 0xFFFF;
        return new long[] {
            /* 0 */ instruction(BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF + SKF_AD_PKTTYPE),
            /* 1 */ instruction(BPF_JMP | BPF_JEQ | BPF_K, 11, 0, PACKET_OUTGOING),       // -> 13 drop
            /* 2 */ instruction(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),                        // dst MAC bytes 0..3
            /* 3 */ instruction(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, macHigh),                 // else -> 6 ARP
            /* 4 */ instruction(BPF_LD | BPF_H | BPF_ABS, 0, 0, 4),                        // dst MAC bytes 4..5
            /* 5 */ instruction(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, macLow),                  // -> 12 accept
            /* 6 */ instruction(BPF_LD | BPF_H | BPF_ABS, 0, 0, Ethernet.TYPE_OFFSET),
            /* 7 */ instruction(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, Ethernet.TYPE_ARP),             // else -> 13
            /* 8 */ instruction(BPF_LD | BPF_H | BPF_ABS, 0, 0, ARP_OPCODE_OFFSET),
            /* 9 */ instruction(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, ARPOP_REQUEST),           // else -> 13
            /* 10 */ instruction(BPF_LD | BPF_W | BPF_ABS, 0, 0, ARP_TARGET_IP_OFFSET),
            /* 11 */ instruction(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, vip),                    // else -> 13
            /* 12 */ instruction(BPF_RET | BPF_K, 0, 0, ACCEPT),
            /* 13 */ instruction(BPF_RET | BPF_K, 0, 0, 0),
        };
    }
}
