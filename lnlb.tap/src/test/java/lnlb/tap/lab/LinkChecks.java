package lnlb.tap.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import lnlb.core.api.LinkSpec;
import lnlb.core.api.NodeAddress;
import lnlb.tap.internal.LinuxLinkProvider;
import lnlb.tap.internal.TapLink;

/**
 * Life-cycle and failure checks of the Linux link, run inside a lab node namespace (root, device
 * eth0 up, no node running there) by {@code lab/e2e.sh}:
 * <pre>ip netns exec lnlb-n1 java -cp ... lnlb.tap.lab.LinkChecks errors|transmit|receive|nocaps|tunmissing</pre>
 * Prints one {@code PASS name: detail} or {@code FAIL name: detail} line per check; the exit code
 * is the number of failures.
 */
public final class LinkChecks {
    static final String DEVICE = "eth0";
    static final String DOWN_DEVICE = "lnlb-x0";          // created down by e2e.sh
    static final String VIP = "10.77.0.100";
    static final String VIP2 = "10.77.0.101";
    static final String NODE_IP = "10.77.0.11";

    private int failures;

    public static void main(String[] args) throws Exception {
        LinkChecks checks = new LinkChecks();
        String group = args.length == 0 ? "errors" : args[0];
        switch (group) {
            case "errors": checks.errors(); break;
            case "transmit": checks.transmit(args.length > 1 ? args[1] : "lnlb-transmit-check"); break;
            case "receive": checks.receive(args.length > 1 ? args[1] : "lnlb-transmit-check", args.length > 2 ? args[2] : null); break;
            case "nocaps": checks.noCapabilities(); break;
            case "tunmissing": checks.tunMissing(); break;
            default: throw new IllegalArgumentException("unknown group " + group);
        }
        System.out.flush();
        System.exit(Math.min(checks.failures, 100));
    }

    private void errors() throws Exception {
        String arpIgnore = sysctl(DEVICE, "arp_ignore");
        String arpAnnounce = sysctl(DEVICE, "arp_announce");
        try (LinuxLinkProvider provider = new LinuxLinkProvider()) {
            expectFailure("device-missing", provider, spec("lnlb-nodev", null, VIP), "device lnlb-nodev does not exist");
            expectFailure("device-down", provider, spec(DOWN_DEVICE, null, VIP), "device " + DOWN_DEVICE + " is down");
            expectFailure("name-taken", provider, spec(DEVICE, "eth0", VIP), "interface name eth0 is taken");
            expectFailure("vip-on-node", provider, spec(DEVICE, null, NODE_IP),
                    "VIP " + NODE_IP + " is already configured on eth0");
            expectFailure("ipv6-vip", provider, spec(DEVICE, null, "fd00::100"), "IPv4 VIPs only");
            expectFailure("bad-name", provider, spec(DEVICE, "a/b", VIP), "is not a valid interface name");
            check("nothing-half-configured", nlbInterfaces().isEmpty()
                            && arpIgnore.equals(sysctl(DEVICE, "arp_ignore"))
                            && arpAnnounce.equals(sysctl(DEVICE, "arp_announce"))
                            && NetworkInterface.getByInetAddress(InetAddress.getByName(VIP)) == null,
                    "after the failures: interfaces " + nlbInterfaces() + ", arp_ignore " + sysctl(DEVICE, "arp_ignore"));

            openClose(provider, arpIgnore, arpAnnounce);
            tapNameTaken(provider);
            twoClusters(provider, arpIgnore);
            wakeups(provider);
            providerCloses(arpIgnore);
        }
    }

    private void openClose(LinuxLinkProvider provider, String arpIgnore, String arpAnnounce) throws Exception {
        TapLink link = provider.open(spec(DEVICE, null, VIP));
        String name = link.interfaceName();
        NetworkInterface tap = NetworkInterface.getByName(name);
        long clusterMac = NodeAddress.unicastClusterMac(InetAddress.getByName(VIP));
        check("open", name.matches("nlb\\d+") && tap != null && tap.isUp()
                        && mac(tap.getHardwareAddress()) == clusterMac
                        && Collections.list(tap.getInetAddresses()).contains(InetAddress.getByName(VIP))
                        && link.headroom() == 10 && link.mtu() == NetworkInterface.getByName(DEVICE).getMTU()
                        && link.nodeAddress() == mac(NetworkInterface.getByName(DEVICE).getHardwareAddress()),
                link + " mtu " + link.mtu());
        check("sysctls-set", "1".equals(sysctl(DEVICE, "arp_ignore")) && "2".equals(sysctl(DEVICE, "arp_announce"))
                        && "2".equals(sysctl(name, "rp_filter")),
                "arp_ignore " + sysctl(DEVICE, "arp_ignore") + ", arp_announce " + sysctl(DEVICE, "arp_announce")
                        + ", rp_filter(" + name + ") " + sysctl(name, "rp_filter"));
        link.close();
        link.close();
        check("close-idempotent", !link.isOpen(), "second close was harmless");
        check("closed-clean", NetworkInterface.getByName(name) == null
                        && arpIgnore.equals(sysctl(DEVICE, "arp_ignore"))
                        && arpAnnounce.equals(sysctl(DEVICE, "arp_announce")),
                name + " gone, arp_ignore " + sysctl(DEVICE, "arp_ignore") + ", arp_announce " + sysctl(DEVICE, "arp_announce"));
        try {
            link.poll((b, o, l) -> { }, 0);
            check("poll-after-close", false, "no exception");
        } catch (IOException e) {
            check("poll-after-close", e.getMessage().contains("is closed"), e.getMessage());
        }
    }

    private void tapNameTaken(LinuxLinkProvider provider) throws Exception {
        try (TapLink first = provider.open(spec(DEVICE, "nlb5", VIP))) {
            expectFailure("tap-name-taken", provider, spec(DEVICE, "nlb5", VIP2), "interface name nlb5 is taken");
            check("first-untouched", NetworkInterface.getByName("nlb5") != null
                    && NetworkInterface.getByInetAddress(InetAddress.getByName(VIP2)) == null, first.toString());
        }
    }

    private void twoClusters(LinuxLinkProvider provider, String arpIgnore) throws Exception {
        TapLink a = provider.open(spec(DEVICE, null, VIP));
        TapLink b = provider.open(spec(DEVICE, null, VIP2));
        a.close();
        String between = sysctl(DEVICE, "arp_ignore");
        b.close();
        check("two-clusters-one-device", !a.interfaceName().equals(b.interfaceName()) && "1".equals(between)
                        && arpIgnore.equals(sysctl(DEVICE, "arp_ignore")),
                a.interfaceName() + " + " + b.interfaceName() + ": arp_ignore " + between + " while one is open, "
                        + sysctl(DEVICE, "arp_ignore") + " after both");
    }

    private void wakeups(LinuxLinkProvider provider) throws Exception {
        try (TapLink link = provider.open(spec(DEVICE, null, VIP))) {
            long start = System.nanoTime();
            CountDownLatch done = new CountDownLatch(1);
            Thread poller = new Thread(() -> {
                try {
                    link.poll((b, o, l) -> { }, 30_000);
                } catch (IOException e) {
                    System.out.println("poll: " + e.getMessage());
                }
                done.countDown();
            });
            poller.start();
            Thread.sleep(200);                       // let it block in poll(2)
            link.wakeup();
            boolean woke = done.await(3, TimeUnit.SECONDS);
            check("wakeup", woke, "poll returned after " + (System.nanoTime() - start) / 1_000_000 + " ms");

            int frames = link.poll((b, o, l) -> { }, 0);
            check("poll-zero-timeout", frames >= 0, frames + " frame(s)");
        }
        // close() from another thread wakes a poll in progress and waits for it
        TapLink link = provider.open(spec(DEVICE, null, VIP));
        CountDownLatch done = new CountDownLatch(1);
        Thread poller = new Thread(() -> {
            try {
                while (link.isOpen()) {
                    link.poll((b, o, l) -> { }, 30_000);
                }
            } catch (IOException e) {
                // closed under us: acceptable
            }
            done.countDown();
        });
        poller.start();
        Thread.sleep(200);
        long start = System.nanoTime();
        link.close();
        boolean ended = done.await(3, TimeUnit.SECONDS);
        check("close-wakes-poll", ended && NetworkInterface.getByName(link.interfaceName()) == null,
                "loop ended " + (System.nanoTime() - start) / 1_000_000 + " ms after close");
    }

    /** Closing the provider closes what it opened (as deactivation or JVM shutdown does). */
    private void providerCloses(String arpIgnore) throws Exception {
        LinuxLinkProvider provider = new LinuxLinkProvider();
        TapLink link = provider.open(spec(DEVICE, null, VIP));
        provider.close();
        check("provider-close", !link.isOpen() && NetworkInterface.getByName(link.interfaceName()) == null
                && arpIgnore.equals(sysctl(DEVICE, "arp_ignore")), link.interfaceName() + " closed with the provider");
    }

    /** Sends one cluster message (EtherType 0x88B5) to the cluster MAC; e2e.sh captures it elsewhere. */
    private void transmit(String payload) throws Exception {
        try (LinuxLinkProvider provider = new LinuxLinkProvider();
             TapLink link = provider.open(spec(DEVICE, null, VIP))) {
            byte[] text = payload.getBytes(StandardCharsets.US_ASCII);
            ByteBuffer frame = ByteBuffer.allocate(Math.max(60, 14 + text.length));
            NodeAddress.write(frame, 0, link.clusterMac());
            NodeAddress.write(frame, 6, link.nodeAddress());
            frame.putShort(12, (short) 0x88B5);
            frame.put(14, text);
            int position = frame.position();
            link.transmit(frame);
            check("transmit", frame.position() == position && link.counters().contains("transmitted=1"),
                    link.counters());
            long[] own = new long[1];
            long deadline = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < deadline) {
                link.poll((b, o, l) -> {
                    if ((b.getShort(o + 12) & 0xFFFF) == 0x88B5) {
                        own[0]++;
                    }
                }, 50);
            }
            check("own-frames-not-seen", own[0] == 0, own[0] + " of its own cluster messages came back");
        }
    }

    /** Waits (15 s at most) for a cluster message carrying {@code payload}; prints LISTENING when ready. */
    /** {@code path}: "ring" or "recv", the receive path the link must have taken (null: either). */
    private void receive(String payload, String path) throws Exception {
        byte[] text = payload.getBytes(StandardCharsets.US_ASCII);
        try (LinuxLinkProvider provider = new LinuxLinkProvider();
             TapLink link = provider.open(spec(DEVICE, null, VIP))) {
            System.out.println("LISTENING " + link.interfaceName());
            System.out.flush();
            long[] source = {NodeAddress.NONE};
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (source[0] == NodeAddress.NONE && System.nanoTime() < deadline) {
                link.poll((b, o, l) -> {
                    if ((b.getShort(o + 12) & 0xFFFF) == 0x88B5 && l >= 14 + text.length
                            && b.slice(o + 14, text.length).equals(ByteBuffer.wrap(text))) {
                        source[0] = NodeAddress.read(b, o + 6);
                    }
                }, 200);
            }
            check("receive", source[0] != NodeAddress.NONE,
                    "cluster message from " + NodeAddress.format(source[0]) + ", " + link.counters());
            if (path != null) {
                check("receive-path-" + path, link.counters().contains(" ring=" + path.equals("ring") + " "),
                        "with -D" + LinuxLinkProvider.RING_PROPERTY + "=" + System.getProperty(LinuxLinkProvider.RING_PROPERTY)
                                + ": " + link.counters());
            }
        }
    }

    private void noCapabilities() {
        try {
            new LinuxLinkProvider().close();
            check("no-capabilities", false, "the provider started without CAP_NET_ADMIN/CAP_NET_RAW");
        } catch (IllegalStateException e) {
            check("no-capabilities", e.getMessage().contains("needs CAP_NET_ADMIN"), e.getMessage());
        }
    }

    private void tunMissing() throws Exception {
        try (LinuxLinkProvider provider = new LinuxLinkProvider()) {
            expectFailure("tun-missing", provider, spec(DEVICE, null, VIP), "/dev/net/tun is missing");
            check("tun-missing-clean", "0".equals(sysctl(DEVICE, "arp_ignore")) || nlbInterfaces().isEmpty(),
                    "arp_ignore " + sysctl(DEVICE, "arp_ignore"));
        }
    }

    private void expectFailure(String name, LinuxLinkProvider provider, LinkSpec spec, String expected) {
        try {
            TapLink link = provider.open(spec);
            link.close();
            check(name, false, "opened " + link);
        } catch (IOException e) {
            check(name, e.getMessage().contains(expected) && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    private void check(String name, boolean passed, String detail) {
        if (!passed) {
            failures++;
        }
        System.out.println((passed ? "PASS " : "FAIL ") + name + ": " + detail);
    }

    private static LinkSpec spec(String device, String name, String vip) throws IOException {
        InetAddress address = InetAddress.getByName(vip);
        return new LinkSpec(device, name, address, NodeAddress.unicastClusterMac(address));
    }

    private static String sysctl(String device, String key) throws IOException {
        Path file = Path.of("/proc/sys/net/ipv4/conf", device, key);
        return Files.exists(file) ? Files.readString(file).trim() : "missing";
    }

    private static List<String> nlbInterfaces() throws IOException {
        List<String> names = new ArrayList<>();
        for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (i.getName().startsWith("nlb")) {
                names.add(i.getName());
            }
        }
        return names;
    }

    private static long mac(byte[] bytes) {
        long mac = 0;
        for (byte b : bytes == null ? new byte[0] : bytes) {
            mac = (mac << 8) | (b & 0xFF);
        }
        return mac;
    }
}
