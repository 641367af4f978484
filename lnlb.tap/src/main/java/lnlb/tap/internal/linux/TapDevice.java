package lnlb.tap.internal.linux;

import java.io.Closeable;
import jnr.ffi.byref.IntByReference;

/**
 * A TAP device with a virtio-net header on every frame ({@code IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR}), opened non-blocking. It is not persistent: closing the descriptor removes the
 * interface, so a crashed JVM leaves no device behind.
 */
public final class TapDevice implements Closeable {
    private final int fd;
    private final String name;

    private TapDevice(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /**
     * Creates the device. {@code name} may hold a {@code %d} ({@code nlb%d}: the kernel picks the
     * next free number). An existing interface of that name fails with EBUSY (a TUN/TAP device,
     * thanks to IFF_TUN_EXCL) or EINVAL/EEXIST (any other kind).
     */
    public static TapDevice create(String name) throws LinkException {
        int fd = Native.open("/dev/net/tun", Kernel.O_RDWR | Kernel.O_NONBLOCK | Kernel.O_CLOEXEC);
        try {
            Ifreq ifr = new Ifreq(Native.runtime(), name);
            ifr.flags.set((short) (Kernel.IFF_TAP | Kernel.IFF_NO_PI | Kernel.IFF_VNET_HDR | Kernel.IFF_TUN_EXCL));
            Native.ioctl(fd, Kernel.TUNSETIFF, ifr, "TUNSETIFF");
            return new TapDevice(fd, ifr.name());
        } catch (LinkException | RuntimeException e) {
            Native.close(fd);
            throw e;
        }
    }

    /** Size of the header before each frame, both ways (10 = struct virtio_net_hdr). */
    public void vnetHeaderSize(int size) throws LinkException {
        if (Native.libc().ioctl(fd, Kernel.TUNSETVNETHDRSZ, new IntByReference(size)) < 0) {
            throw new LinkException(null, "ioctl(TUNSETVNETHDRSZ " + name + ")", Native.errno());
        }
    }

    /**
     * Offloads the reader accepts (TUN_F_*): what the kernel may hand over as partial checksums or
     * GSO frames when it sends through this device.
     */
    public void offload(int flags) throws LinkException {
        if (Native.libc().ioctl(fd, Kernel.TUNSETOFFLOAD, flags) < 0) {
            throw new LinkException(null, "ioctl(TUNSETOFFLOAD " + name + ")", Native.errno());
        }
    }

    public int fd() {
        return fd;
    }

    /** The interface's name as the kernel gave it. */
    public String name() {
        return name;
    }

    /** Closes the descriptor, which removes the interface. */
    @Override
    public void close() {
        Native.close(fd);
    }
}
