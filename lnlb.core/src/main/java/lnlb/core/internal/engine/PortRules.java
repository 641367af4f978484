package lnlb.core.internal.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import lnlb.core.api.Affinity;
import lnlb.core.api.Datagram;

/**
 * The cluster's port rules, as in Microsoft NLB: an ordered list of {@code PROTO:PORTS:AFFINITY}
 * (PROTO {@code tcp}, {@code udp} or {@code any}; PORTS {@code N}, {@code N-M}, a comma list of
 * those, or {@code *}; AFFINITY {@code source}, {@code connection}, {@code network} or
 * {@code drop}), and the affinity of traffic no rule matches ({@code affinity}, default
 * {@code source}). The first matching rule wins. A datagram without a destination port (ICMP, a
 * trailing fragment) matches only {@code *} rules.
 *
 * <p>Part of the view: every node classifies a datagram by the rules of the view it decides it
 * under, so a change applies at the same frame everywhere. Immutable; {@link #affinity} allocates
 * nothing. {@link #text()} is the canonical form (what the wire carries and {@link #digest()}
 * covers), e.g. {@code source; tcp:80,443:connection; udp:53:connection}.
 */
public final class PortRules {
    public static final PortRules DEFAULT = new PortRules(Affinity.SOURCE, new int[0], new int[0], new int[0], new int[0]);

    private static final int ANY = -1;

    private final int fallback;
    // One row per port range, in rule order (a comma list gives one row per item).
    private final int[] protocols;
    private final int[] low;
    private final int[] high;
    private final int[] affinities;
    private final String text;
    private final int digest;

    private PortRules(int fallback, int[] protocols, int[] low, int[] high, int[] affinities) {
        this.fallback = fallback;
        this.protocols = protocols;
        this.low = low;
        this.high = high;
        this.affinities = affinities;
        this.text = render();
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        this.digest = (int) crc.getValue();
    }

    /**
     * Parses {@code affinity} (null or blank: {@code source}) and {@code rules} (null or blank: none;
     * rules separated by commas, spaces or semicolons: {@code tcp:80,443:connection, udp:53:connection}).
     *
     * @throws IllegalArgumentException saying which rule is wrong and why
     */
    public static PortRules parse(String affinity, String rules) {
        int fallback = affinity == null || affinity.isBlank() ? Affinity.SOURCE : Affinity.of(affinity);
        if (fallback == Affinity.DROP) {
            throw new IllegalArgumentException("affinity (the default) must be source, connection or network, not drop");
        }
        List<int[]> rows = new ArrayList<>();
        if (rules != null && !rules.isBlank()) {
            for (String rule : splitRules(rules)) {
                parseRule(rule, rows);
            }
        }
        int n = rows.size();
        int[] protocols = new int[n];
        int[] low = new int[n];
        int[] high = new int[n];
        int[] affinities = new int[n];
        for (int i = 0; i < n; i++) {
            int[] row = rows.get(i);
            protocols[i] = row[0];
            low[i] = row[1];
            high[i] = row[2];
            affinities[i] = row[3];
        }
        return new PortRules(fallback, protocols, low, high, affinities);
    }

    /** Parses the canonical {@link #text()} (as the wire carries it). */
    public static PortRules ofText(String text) {
        int semicolon = text.indexOf(';');
        return semicolon < 0 ? parse(text, null) : parse(text.substring(0, semicolon), text.substring(semicolon + 1));
    }

    /**
     * A rule is {@code PROTO:PORTS:AFFINITY}, and PORTS may hold commas: the text is cut into rules
     * where a token starts with a protocol name followed by a colon.
     */
    private static List<String> splitRules(String rules) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String token : rules.trim().split("[\\s,;]+")) {
            if (token.isEmpty()) {
                continue;
            }
            if (startsRule(token) && current.length() > 0) {
                out.add(current.toString());
                current.setLength(0);
            }
            if (current.length() > 0) {
                current.append(',');
            }
            current.append(token);
        }
        if (current.length() > 0) {
            out.add(current.toString());
        }
        return out;
    }

    private static boolean startsRule(String token) {
        String t = token.toLowerCase();
        return t.startsWith("tcp:") || t.startsWith("udp:") || t.startsWith("any:");
    }

    private static void parseRule(String rule, List<int[]> rows) {
        String[] parts = rule.split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("port rule '" + rule + "' must be PROTO:PORTS:AFFINITY "
                    + "(e.g. tcp:80,443:connection)");
        }
        int protocol = switch (parts[0].trim().toLowerCase()) {
            case "tcp" -> Datagram.PROTOCOL_TCP;
            case "udp" -> Datagram.PROTOCOL_UDP;
            case "any" -> ANY;
            default -> throw new IllegalArgumentException("port rule '" + rule + "': protocol must be tcp, udp or any");
        };
        int affinity;
        try {
            affinity = Affinity.of(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("port rule '" + rule + "': " + e.getMessage());
        }
        for (String range : parts[1].split(",")) {
            String r = range.trim();
            int from;
            int to;
            if (r.equals("*")) {
                from = -1;
                to = 65535;
            } else {
                int dash = r.indexOf('-');
                from = port(rule, dash < 0 ? r : r.substring(0, dash));
                to = dash < 0 ? from : port(rule, r.substring(dash + 1));
                if (to < from) {
                    throw new IllegalArgumentException("port rule '" + rule + "': range " + r + " is empty");
                }
            }
            rows.add(new int[] {protocol, from, to, affinity});
        }
    }

    private static int port(String rule, String text) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("port rule '" + rule + "': '" + text + "' is not a port 0..65535 or *");
    }

    /**
     * The affinity of a datagram of {@code protocol} to destination port {@code port}
     * ({@link Datagram#ABSENT} when it shows none): the first matching rule's, else the default.
     */
    public int affinity(int protocol, int port) {
        int[] p = protocols;
        for (int i = 0; i < p.length; i++) {
            if ((p[i] == ANY || p[i] == protocol) && port >= low[i] && port <= high[i]) {
                return affinities[i];
            }
        }
        return fallback;
    }

    /** The affinity of {@code d} (valid): see {@link #affinity(int, int)}. */
    public int affinity(Datagram d) {
        return protocols.length == 0 ? fallback : affinity(d.protocol(), d.destinationPort());
    }

    /** The affinity of traffic no rule matches. */
    public int fallback() {
        return fallback;
    }

    /** The number of port ranges (a comma list counts each item). */
    public int size() {
        return protocols.length;
    }

    /** The canonical text: the default affinity, then each range as a rule of its own, separated by "; ". */
    public String text() {
        return text;
    }

    /** CRC-32 of {@link #text()}: what two nodes compare to know they have the same rules. */
    public int digest() {
        return digest;
    }

    /** The digest as 8 hex digits, for logs and status. */
    public String digestText() {
        return String.format("%08x", digest);
    }

    private String render() {
        StringBuilder out = new StringBuilder(Affinity.name(fallback));
        for (int i = 0; i < protocols.length; i++) {
            out.append("; ").append(protocols[i] == ANY ? "any" : protocols[i] == Datagram.PROTOCOL_TCP ? "tcp" : "udp")
                    .append(':');
            if (low[i] == -1) {
                out.append('*');
            } else if (low[i] == high[i]) {
                out.append(low[i]);
            } else {
                out.append(low[i]).append('-').append(high[i]);
            }
            out.append(':').append(Affinity.name(affinities[i]));
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortRules r && r.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
