package lnlb.tap.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import org.junit.jupiter.api.Test;

/** Struct layouts against the kernel's (LP64), and the error text. Loads libc; needs no privileges. */
class NativeLayoutTest {
    @Test
    void structSizes() {
        assertEquals(40, Struct.size(new Ifreq(Native.runtime(), "eth0")), "struct ifreq");
        assertEquals(20, Struct.size(new SockaddrLl(Native.runtime())), "struct sockaddr_ll");
        assertEquals(16, Struct.size(new PacketMreq(Native.runtime())), "struct packet_mreq");
        assertEquals(16, Struct.size(new SockFprog(Native.runtime())), "struct sock_fprog");
    }

    @Test
    void ifreqUnionSitsAfterTheName() {
        Ifreq ifr = new Ifreq(Native.runtime(), "nlb0");
        ifr.flags.set((short) 0x1043);
        Pointer memory = Struct.getMemory(ifr);
        assertEquals("nlb0", ifr.name());
        assertEquals(0x1043, memory.getShort(16));
        ifr.hwaddr(0x0200_0a4d_0064L);
        assertEquals(Kernel.ARPHRD_ETHER, memory.getShort(16));
        assertEquals(0x02, memory.getByte(18));
        assertEquals(0x64, memory.getByte(23));
        assertEquals(0x0200_0a4d_0064L, ifr.hwaddr());
        ifr.inet(new byte[] {10, 77, 0, 100});
        assertEquals(Kernel.AF_INET, memory.getShort(16));
        assertEquals(0, memory.getShort(18), "port");
        assertEquals(100, memory.getByte(23));
    }

    @Test
    void networkOrderProtocol() {
        assertEquals(0x0300, Native.htons(Kernel.ETH_P_ALL));
    }

    @Test
    void directBufferAddresses() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64);
        long base = Native.address(buffer);
        assertTrue(base != 0);
        assertEquals(base + 16, Native.address(buffer.slice(16, 8)));
    }

    @Test
    void errorsNameTheCallAndErrno() {
        LinkException e = new LinkException(null, "socket(AF_PACKET, SOCK_RAW)", Kernel.EPERM);
        assertEquals("socket(AF_PACKET, SOCK_RAW): EPERM (Operation not permitted)", e.getMessage());
        assertEquals(Kernel.EPERM, e.errno());
        LinkException explained = e.explain("opening the packet socket needs CAP_NET_RAW");
        assertEquals("opening the packet socket needs CAP_NET_RAW (socket(AF_PACKET, SOCK_RAW): EPERM (Operation not permitted))",
                explained.getMessage());
    }

    @Test
    void hotPathCallsReturnMinusErrno() {
        assertEquals(-Kernel.EBADF, Native.read(-1, Native.address(ByteBuffer.allocateDirect(8)), 8));
    }
}
