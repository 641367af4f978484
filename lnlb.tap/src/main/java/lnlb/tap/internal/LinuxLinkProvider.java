package lnlb.tap.internal;

import static lnlb.tap.internal.linux.Kernel.EACCES;
import static lnlb.tap.internal.linux.Kernel.EBUSY;
import static lnlb.tap.internal.linux.Kernel.EEXIST;
import static lnlb.tap.internal.linux.Kernel.EINVAL;
import static lnlb.tap.internal.linux.Kernel.ENODEV;
import static lnlb.tap.internal.linux.Kernel.ENOENT;
import static lnlb.tap.internal.linux.Kernel.ENXIO;
import static lnlb.tap.internal.linux.Kernel.EPERM;
import static lnlb.tap.internal.linux.Kernel.IFF_UP;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import lnlb.core.api.LinkProvider;
import lnlb.core.api.LinkSpec;
import lnlb.core.api.NodeAddress;
import lnlb.tap.internal.linux.Interfaces;
import lnlb.tap.internal.linux.Kernel;
import lnlb.tap.internal.linux.LinkException;
import lnlb.tap.internal.linux.Native;
import lnlb.tap.internal.linux.PacketRing;
import lnlb.tap.internal.linux.PacketSocket;
import lnlb.tap.internal.linux.TapDevice;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens {@link TapLink}s: the Linux data path of a cluster (DESIGN.md §3). Plain Java works too:
 * {@code new LinuxLinkProvider().open(spec)}; {@link #close()} (or JVM shutdown) closes what it
 * opened.
 *
 * <p>{@link #open} does, in this order, and undoes in reverse on any failure: check the device
 * (exists, up, Ethernet) and the VIP (not on this node yet); set {@code arp_ignore=1} and
 * {@code arp_announce=2} on the device, so the kernel neither answers ARP for the VIP there nor
 * uses the VIP as the source of its own ARP requests; create the TAP with virtio-net headers and
 * offloads; give it the cluster MAC, no IPv6 (its link-local address and router solicitations
 * would carry the cluster MAC), {@code rp_filter=2} (packets for the VIP come in on the TAP but
 * their route back is the device), the VIP/32, and bring it up; open the promiscuous packet socket
 * with the cluster filter; an eventfd for wake-ups.
 */
@Component(service = LinkProvider.class, property = LinkProvider.TYPE + "=" + LinuxLinkProvider.TYPE)
public final class LinuxLinkProvider implements LinkProvider, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxLinkProvider.class);

    /** The value of {@link LinkProvider#TYPE} this provider registers with. */
    public static final String TYPE = "linux";
    /** Name pattern of the virtual interface when the spec names none: the kernel picks the number. */
    public static final String DEFAULT_NAME = "nlb%d";
    /** Offloads the TAP accepts from the kernel: partial checksums and TCP segmentation. */
    static final int TAP_OFFLOADS = Kernel.TUN_F_CSUM | Kernel.TUN_F_TSO4 | Kernel.TUN_F_TSO6 | Kernel.TUN_F_TSO_ECN;

    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_NET_RAW = 13;

    private final Set<TapLink> links = ConcurrentHashMap.newKeySet();
    /**
     * At JVM exit (SIGTERM), a last resort that removes what the links changed in the kernel. The
     * JVM runs every shutdown hook at once, and the owners of the links (the framework's orderly
     * stop, a launcher's own hook) still have to send their LEAVE through them: so this hook first
     * gives them {@link #SHUTDOWN_GRACE_MILLIS} to close the links themselves.
     */
    private final Thread shutdownHook = new Thread(this::closeAllAfterGrace, "lnlb-tap-shutdown");
    static final long SHUTDOWN_GRACE_MILLIS = 5_000;
    /**
     * System property: {@code true} reads frames in place from a receive ring instead of one recv(2)
     * each. Off by default: alone it measured no faster (BENCHMARKS.md, issue 12 step 1); the doorbell
     * and headers-only frames that would make it pay are built on it.
     */
    public static final String RING_PROPERTY = "lnlb.tap.ring";
    private static final AtomicBoolean RING_FALLBACK_LOGGED = new AtomicBoolean();

    /**
     * Fails (and so does the component's activation) off Linux or without CAP_NET_ADMIN and
     * CAP_NET_RAW, with a message that says which.
     */
    @Activate
    public LinuxLinkProvider() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new IllegalStateException("the linux link needs Linux (os.name=" + os + ")");
        }
        String missing = missingCapabilities();
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    @Override
    public TapLink open(LinkSpec spec) throws IOException {
        if (!(spec.vip() instanceof Inet4Address)) {
            throw new LinkException("VIP " + spec.vip().getHostAddress() + ": the linux link supports IPv4 VIPs only");
        }
        String missing = missingCapabilities();
        if (missing != null) {
            throw new LinkException(missing);
        }
        String device = spec.device();
        String vipText = spec.vip().getHostAddress();
        String requested = spec.interfaceName() == null ? DEFAULT_NAME : spec.interfaceName();
        checkName("device", device);
        checkName("interface name", requested);
        byte[] vip = spec.vip().getAddress();

        Deque<AutoCloseable> undo = new ArrayDeque<>();
        try (Interfaces interfaces = Interfaces.open()) {
            int ifindex = deviceIndex(interfaces, device);
            if ((interfaces.flags(device) & IFF_UP) == 0) {
                throw new LinkException("device " + device + " is down");
            }
            long nodeMac = interfaces.hwaddr(device);
            int mtu = interfaces.mtu(device);
            String holder = holderOf(spec);
            if (holder != null) {
                throw new LinkException("VIP " + vipText + " is already configured on " + holder + " of this node");
            }
            if (!requested.contains("%") && interfaces.exists(requested)) {
                throw new LinkException("interface name " + requested + " is taken");
            }

            Sysctls sysctls = Sysctls.proc();
            undo.push(sysctls::restore);
            sysctls.hold("net/ipv4/conf/" + device + "/arp_ignore", "1");
            sysctls.hold("net/ipv4/conf/" + device + "/arp_announce", "2");

            TapDevice tap = createTap(requested);
            undo.push(tap);
            String name = tap.name();
            tap.vnetHeaderSize(TapLink.HEADROOM);
            tap.offload(TAP_OFFLOADS);
            interfaces.hwaddr(name, spec.clusterMac());
            sysctls.setIfPresent("net/ipv6/conf/" + name + "/disable_ipv6", "1");
            sysctls.set("net/ipv4/conf/" + name + "/rp_filter", "2");
            interfaces.ipv4Host(name, vip);
            interfaces.up(name);

            PacketSocket socket = openSocket(ifindex, ClusterFilter.program(spec.clusterMac(), ByteBuffer.wrap(vip).getInt()));
            undo.push(socket);
            int eventFd = Native.eventfd();
            undo.push(() -> Native.close(eventFd));

            TapLink[] self = new TapLink[1];
            TapLink link = new TapLink(device, nodeMac, spec.clusterMac(), mtu, tap, socket, eventFd, sysctls,
                    () -> closed(self[0]));
            self[0] = link;
            links.add(link);
            undo.clear();
            LOG.info("opened {} ({}/32, cluster MAC {}) on {} (node {}, mtu {}, {})", name, vipText,
                    NodeAddress.format(spec.clusterMac()), device, NodeAddress.format(nodeMac), mtu,
                    socket.ring() != null ? "receive ring of " + PacketRing.SLOTS + " slots" : "recv(2)");
            return link;
        } catch (LinkException | RuntimeException e) {
            while (!undo.isEmpty()) {
                try {
                    undo.pop().close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Closes every link this provider opened and still open. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) anyway
        }
        closeAll();
    }

    @Deactivate
    void deactivate() {
        close();
    }

    private void closed(TapLink link) {
        synchronized (links) {
            links.remove(link);
            links.notifyAll();
        }
    }

    private void closeAllAfterGrace() {
        long deadline = System.nanoTime() + SHUTDOWN_GRACE_MILLIS * 1_000_000;
        synchronized (links) {
            long left;
            while (!links.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    links.wait(left / 1_000_000 + 1);
                } catch (InterruptedException e) {
                    break;
                }
            }
        }
        closeAll();
    }

    private void closeAll() {
        List<TapLink> open = new ArrayList<>(links);
        for (TapLink link : open) {
            link.close();
        }
    }

    /**
     * The packet socket, with a receive ring when {@value #RING_PROPERTY} is true, unless the ring
     * cannot be set up (an old kernel, a refused mapping): then frames are read with recv(2), and
     * the log says why, once per JVM.
     */
    private static PacketSocket openSocket(int ifindex, long[] filter) throws LinkException {
        if (Boolean.parseBoolean(System.getProperty(RING_PROPERTY, "false"))) {
            try {
                return PacketSocket.open(ifindex, filter, true);
            } catch (LinkException | RuntimeException | LinkageError e) {
                if (RING_FALLBACK_LOGGED.compareAndSet(false, true)) {
                    LOG.warn("no receive ring ({}): frames are read with recv(2), one system call and one copy each", e.toString());
                }
            }
        } else if (RING_FALLBACK_LOGGED.compareAndSet(false, true)) {
            LOG.info("frames are read with recv(2) (a receive ring: -D{}=true)", RING_PROPERTY);
        }
        return PacketSocket.open(ifindex, filter, false);
    }

    private static int deviceIndex(Interfaces interfaces, String device) throws LinkException {
        try {
            return interfaces.index(device);
        } catch (LinkException e) {
            if (e.errno() == ENODEV) {
                throw e.explain("device " + device + " does not exist");
            }
            throw e;
        }
    }

    private static TapDevice createTap(String name) throws LinkException {
        try {
            return TapDevice.create(name);
        } catch (LinkException e) {
            int errno = e.errno();
            if (e.syscall() != null && e.syscall().startsWith("open")) {
                if (errno == ENOENT) {
                    throw e.explain("/dev/net/tun is missing (load the tun module, or create the node: mknod /dev/net/tun c 10 200)");
                }
                if (errno == ENXIO || errno == ENODEV) {
                    throw e.explain("the kernel has no TUN/TAP support (modprobe tun)");
                }
                if (errno == EACCES) {
                    // the capabilities do not matter here: the device node's mode does (a service user)
                    throw e.explain("this user may not open /dev/net/tun (it needs read-write access: mode 0666, as udev sets it)");
                }
            }
            if (errno == EPERM || errno == EACCES) {
                throw e.explain("creating " + name + " needs CAP_NET_ADMIN");
            }
            if (errno == EBUSY || errno == EEXIST || errno == EINVAL) {
                throw e.explain("interface name " + name + " is taken");
            }
            throw e;
        }
    }

    /** The interface that already carries the VIP on this node, or null. */
    private static String holderOf(LinkSpec spec) throws LinkException {
        try {
            NetworkInterface holder = NetworkInterface.getByInetAddress(spec.vip());
            return holder == null ? null : holder.getName();
        } catch (SocketException e) {
            throw new LinkException("cannot list this node's addresses: " + e.getMessage());
        }
    }

    private static void checkName(String what, String name) throws LinkException {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length >= Kernel.IFNAMSIZ || name.contains("/") || name.contains(":")
                || name.chars().anyMatch(Character::isWhitespace)) {
            throw new LinkException(what + " '" + name + "' is not a valid interface name");
        }
    }

    /** Null when this process holds CAP_NET_ADMIN and CAP_NET_RAW; otherwise what is missing. */
    static String missingCapabilities() {
        long effective;
        try {
            effective = Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII).stream()
                    .filter(line -> line.startsWith("CapEff:"))
                    .mapToLong(line -> Long.parseUnsignedLong(line.substring(7).trim(), 16))
                    .findFirst().orElse(0L);
        } catch (IOException | NumberFormatException e) {
            return null;    // cannot tell: let the system calls say it
        }
        boolean admin = (effective & (1L << CAP_NET_ADMIN)) != 0;
        boolean raw = (effective & (1L << CAP_NET_RAW)) != 0;
        if (admin && raw) {
            return null;
        }
        String which = !admin && !raw ? "CAP_NET_ADMIN and CAP_NET_RAW" : !admin ? "CAP_NET_ADMIN" : "CAP_NET_RAW";
        return "the linux link needs " + which + " (run as root, or grant them, e.g. AmbientCapabilities in a systemd unit)";
    }
}
