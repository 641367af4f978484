package lnlb.tap.internal.linux;

import java.nio.charset.StandardCharsets;
import jnr.ffi.NativeType;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/**
 * {@code struct ifreq} (&lt;linux/if.h&gt;, 40 bytes on LP64): the interface name, then a 24-byte
 * union. The fields below are the union members this link reads or writes, each at offset 16.
 * <pre>
 *  0                16      18      20              32              40
 *  | ifr_name[16]   | union: flags / ifindex / mtu / struct sockaddr  |
 *                   | family| port  | IPv4 address  |  (sockaddr_in)
 *                   | family| sa_data: MAC (6 bytes) ...  (hwaddr)
 * </pre>
 */
final class Ifreq extends Struct {
    static final int UNION = Kernel.IFNAMSIZ;
    static final int SA_DATA = UNION + 2;
    static final int SIN_ADDR = UNION + 4;

    private final UTF8String name = new UTF8String(Kernel.IFNAMSIZ);
    @SuppressWarnings("unused")
    private final Padding union = new Padding(NativeType.UCHAR, 24);
    /** ifr_flags (short). */
    final Signed16 flags = new Signed16(new Offset(UNION));
    /** ifr_ifindex, ifr_mtu (int). */
    final Signed32 value = new Signed32(new Offset(UNION));
    /** ifr_addr.sa_family / ifr_hwaddr.sa_family. */
    final Unsigned16 family = new Unsigned16(new Offset(UNION));

    Ifreq(Runtime runtime, java.lang.String interfaceName) {
        super(runtime);
        name(interfaceName);
    }

    java.lang.String name() {
        return name.get();
    }

    void name(java.lang.String interfaceName) {
        byte[] bytes = interfaceName.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length >= Kernel.IFNAMSIZ) {
            throw new IllegalArgumentException("interface name longer than 15 bytes: " + interfaceName);
        }
        jnr.ffi.Pointer memory = getMemory(this);
        memory.put(0, new byte[Kernel.IFNAMSIZ], 0, Kernel.IFNAMSIZ);
        memory.put(0, bytes, 0, bytes.length);
    }

    /** Writes a MAC as ifr_hwaddr (sa_family ARPHRD_ETHER). */
    void hwaddr(long mac) {
        family.set(Kernel.ARPHRD_ETHER);
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (mac >>> (40 - 8 * i));
        }
        getMemory(this).put(SA_DATA, bytes, 0, 6);
    }

    /** Reads ifr_hwaddr's six address bytes as a MAC. */
    long hwaddr() {
        byte[] bytes = new byte[6];
        getMemory(this).get(SA_DATA, bytes, 0, 6);
        long mac = 0;
        for (byte b : bytes) {
            mac = (mac << 8) | (b & 0xFF);
        }
        return mac;
    }

    /** Writes a {@code struct sockaddr_in} (AF_INET, port 0) with the address in network order. */
    void inet(byte[] address) {
        jnr.ffi.Pointer memory = getMemory(this);
        // not setMemory(UNION, ...): on heap-backed struct memory jnr-ffi 2.2.17 ignores its offset
        memory.put(UNION, new byte[16], 0, 16);
        family.set(Kernel.AF_INET);
        memory.put(SIN_ADDR, address, 0, 4);
    }
}
