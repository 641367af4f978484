package lnlb.tap.internal.linux;

import java.io.Closeable;

/**
 * Interface configuration through the classic SIOC*IF* ioctls on a control socket (AF_INET,
 * SOCK_DGRAM) of the calling thread's network namespace. Set-up only: every call allocates.
 */
public final class Interfaces implements Closeable {
    private final int fd;

    private Interfaces(int fd) {
        this.fd = fd;
    }

    public static Interfaces open() throws LinkException {
        return new Interfaces(Native.socket(Kernel.AF_INET, Kernel.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM"));
    }

    /** The interface index; ENODEV when there is no such interface. */
    public int index(String name) throws LinkException {
        Ifreq ifr = request(name);
        Native.ioctl(fd, Kernel.SIOCGIFINDEX, ifr, "SIOCGIFINDEX");
        return ifr.value.get();
    }

    /** True if an interface of that name exists. */
    public boolean exists(String name) throws LinkException {
        try {
            index(name);
            return true;
        } catch (LinkException e) {
            if (e.errno() == Kernel.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    /** IFF_* flags (IFF_UP, IFF_RUNNING, IFF_PROMISC, ...). */
    public int flags(String name) throws LinkException {
        Ifreq ifr = request(name);
        Native.ioctl(fd, Kernel.SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS");
        return Short.toUnsignedInt(ifr.flags.get());
    }

    /** Sets IFF_UP, keeping the other flags. */
    public void up(String name) throws LinkException {
        Ifreq ifr = request(name);
        Native.ioctl(fd, Kernel.SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS");
        ifr.flags.set((short) (ifr.flags.get() | Kernel.IFF_UP));
        Native.ioctl(fd, Kernel.SIOCSIFFLAGS, ifr, "SIOCSIFFLAGS");
    }

    /** MTU of the interface. */
    public int mtu(String name) throws LinkException {
        Ifreq ifr = request(name);
        Native.ioctl(fd, Kernel.SIOCGIFMTU, ifr, "SIOCGIFMTU");
        return ifr.value.get();
    }

    /** The hardware address of an Ethernet interface; EINVAL-style error for other link types. */
    public long hwaddr(String name) throws LinkException {
        Ifreq ifr = request(name);
        Native.ioctl(fd, Kernel.SIOCGIFHWADDR, ifr, "SIOCGIFHWADDR");
        if (ifr.family.get() != Kernel.ARPHRD_ETHER) {
            throw new LinkException(name + " is not an Ethernet device (link type " + ifr.family.get() + ")");
        }
        return ifr.hwaddr();
    }

    /** Sets the hardware address (the interface may have to be down for some drivers; TAP does not care). */
    public void hwaddr(String name, long mac) throws LinkException {
        Ifreq ifr = request(name);
        ifr.hwaddr(mac);
        Native.ioctl(fd, Kernel.SIOCSIFHWADDR, ifr, "SIOCSIFHWADDR");
    }

    /**
     * Gives the interface the IPv4 address {@code address}/32. Call it while the interface is
     * down: SIOCSIFADDR first installs a classful prefix, which SIOCSIFNETMASK then narrows, and a
     * down interface gets no prefix route in between.
     */
    public void ipv4Host(String name, byte[] address) throws LinkException {
        Ifreq ifr = request(name);
        ifr.inet(address);
        Native.ioctl(fd, Kernel.SIOCSIFADDR, ifr, "SIOCSIFADDR");
        ifr.inet(new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255});
        Native.ioctl(fd, Kernel.SIOCSIFNETMASK, ifr, "SIOCSIFNETMASK");
    }

    @Override
    public void close() {
        Native.close(fd);
    }

    private static Ifreq request(String name) {
        return new Ifreq(Native.runtime(), name);
    }
}
