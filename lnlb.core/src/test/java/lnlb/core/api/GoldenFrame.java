package lnlb.core.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The golden Ethernet frames under {@code src/test/resources/lnlb/core/api}: annotated hex, one
 * header per block, {@code #} starts a comment. Checksums are correct (checked with
 * {@code tcpdump -vv}). Each frame carries one IP packet right after its 14-byte Ethernet header,
 * possibly followed by Ethernet padding.
 */
enum GoldenFrame {
    IPV4_TCP_SYN("ipv4-tcp-syn.hex", 60),
    IPV4_UDP_PADDED("ipv4-udp-padded.hex", 32),
    IPV4_TCP_OPTIONS("ipv4-tcp-options.hex", 50),
    IPV4_UDP_OPTIONS("ipv4-udp-options.hex", 76),
    IPV4_FRAG_FIRST("ipv4-frag-first.hex", 36),
    IPV4_FRAG_MIDDLE("ipv4-frag-middle.hex", 36),
    IPV4_FRAG_LAST("ipv4-frag-last.hex", 36),
    IPV6_TCP_SYN("ipv6-tcp-syn.hex", 64),
    IPV6_UDP("ipv6-udp.hex", 56),
    IPV6_EXT_CHAIN("ipv6-ext-chain.hex", 120),
    IPV6_FRAG_FIRST("ipv6-frag-first.hex", 64),
    IPV6_FRAG_LAST("ipv6-frag-last.hex", 64),
    IPV6_FRAG_NONFIRST_DSTOPTS("ipv6-frag-nonfirst-dstopts.hex", 72);

    static final int ETHERNET_HEADER = 14;
    /** Filler around the frames we place, so reading outside the packet shows up as garbage. */
    static final byte JUNK = (byte) 0xA5;

    private final String resource;
    private final int ipLength;
    private byte[] frame;

    GoldenFrame(String resource, int ipLength) {
        this.resource = resource;
        this.ipLength = ipLength;
    }

    /** The whole Ethernet frame (a fresh copy). */
    byte[] frame() {
        if (frame == null) {
            frame = parseHex(resource);
        }
        return frame.clone();
    }

    /** The IP packet alone, without Ethernet header and padding (a fresh copy). */
    byte[] ip() {
        return Arrays.copyOfRange(frame(), ETHERNET_HEADER, ETHERNET_HEADER + ipLength);
    }

    /** Length of the IP packet as its header says. */
    int ipLength() {
        return ipLength;
    }

    /** Length of the Ethernet frame minus its header: what a receive loop hands to wrap. */
    int ethernetPayloadLength() {
        return frame().length - ETHERNET_HEADER;
    }

    boolean isIpv4() {
        return name().startsWith("IPV4");
    }

    /**
     * A buffer of capacity {@code at + bytes.length + tail} holding {@code bytes} at index
     * {@code at}, surrounded by {@link #JUNK}. Position 0, limit = capacity.
     */
    static ByteBuffer place(byte[] bytes, int at, int tail) {
        ByteBuffer buffer = ByteBuffer.allocate(at + bytes.length + tail);
        Arrays.fill(buffer.array(), JUNK);
        System.arraycopy(bytes, 0, buffer.array(), at, bytes.length);
        return buffer;
    }

    private static byte[] parseHex(String resource) {
        try (InputStream in = GoldenFrame.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            StringBuilder digits = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                int comment = line.indexOf('#');
                digits.append((comment < 0 ? line : line.substring(0, comment)).replaceAll("\\s", ""));
            }
            byte[] bytes = new byte[digits.length() / 2];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
