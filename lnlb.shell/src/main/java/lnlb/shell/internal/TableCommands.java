package lnlb.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Formatter;
import java.util.List;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.DigestDTO;
import lnlb.core.api.admin.OwnerDTO;
import lnlb.core.api.admin.SessionCountDTO;
import lnlb.core.api.admin.SessionDTO;
import lnlb.core.api.admin.SessionQueryDTO;
import lnlb.core.api.admin.TableDTO;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Session tables: what the modules serving a cluster track, who owns a client, and a digest to compare nodes. */
@Component(service = TableCommands.class)
@GogoCommand(scope = "lnlb", function = {"conntrack", "owner"})
public final class TableCommands {
    static final String SESSION_FORMAT = "%-5s %-15s %5s  %-17s  %-12s %9s %9s%n";
    static final String BUCKET_FORMAT = "%-5s %-15s %5s  %-17s  %s%n";
    private final ClusterAdmin admin;

    @Activate
    public TableCommands(@Reference ClusterAdmin admin) {
        this.admin = admin;
    }

    @Descriptor("show the session tables of a cluster: entries per serving module, then the matching sessions"
            + " (one line each, printed as they are read) and their count per owner node; --digest: a digest"
            + " of every table, equal on every node whose tables agree; --digest --buckets, then --bucket XX:"
            + " where two nodes differ")
    public CharSequence conntrack(
            @Descriptor("only sessions from this IPv4 address or ADDRESS/PREFIX")
            @Parameter(names = {"-s", "--source"}, absentValue = "") String source,
            @Descriptor("only flows from this client source port")
            @Parameter(names = {"-p", "--port"}, absentValue = "-1") String port,
            @Descriptor("only sessions owned by this node (MAC, or self)")
            @Parameter(names = {"-n", "--node"}, absentValue = "") String node,
            @Descriptor("print at most this many sessions (all are counted)")
            @Parameter(names = {"-l", "--limit"}, absentValue = "-1") String limit,
            @Descriptor("print the digest of the tables instead of the sessions")
            @Parameter(names = {"-d", "--digest"}, presentValue = "true", absentValue = "false") boolean digest,
            @Descriptor("with --digest: the digest of each of the 256 buckets too (diff two nodes' to find where they differ)")
            @Parameter(names = {"-b", "--buckets"}, presentValue = "true", absentValue = "false") boolean buckets,
            @Descriptor("only the sessions of this digest bucket (00..ff), sorted and without times (diff two nodes' to"
                    + " name the sessions they disagree on)")
            @Parameter(names = {"-B", "--bucket"}, absentValue = "") String bucket,
            @Descriptor("cluster name") String name) {
        return Errors.answer("conntrack", () -> digest ? digest(name, buckets)
                : bucket.isEmpty() ? sessions(name, source, port, node, limit) : bucket(name, bucket));
    }

    private String digest(String name, boolean buckets) {
        DigestDTO d = admin.digest(name);
        Formatter out = new Formatter();
        out.format("%s: digest %s of %d sessions, epoch %d", name, d.digest, d.entries, d.epoch);
        for (DigestDTO.TableDigestDTO t : d.tables) {
            out.format("%n  protocol %-3d %s %,10d  %s", t.protocol, t.digest, t.entries, t.type);
        }
        for (int b = 0; buckets && b < d.bucketDigests.length; b++) {
            out.format("%n  bucket %02x %s %,10d", b, d.bucketDigests[b], d.bucketEntries[b]);
        }
        return out.toString();
    }

    /** One digest bucket's sessions, sorted, without times: the same text on every node that agrees. */
    private String bucket(String name, String bucket) {
        if (!bucket.matches("\\p{XDigit}{1,2}")) {
            throw new IllegalArgumentException("bucket must be 00..ff: " + bucket);
        }
        SessionQueryDTO q = new SessionQueryDTO();
        q.bucket = Integer.parseInt(bucket, 16);
        List<SessionDTO> sessions = new ArrayList<>(); // a bucket is 1/256 of the tables
        SessionCountDTO count = admin.sessions(name, q, sessions::add);
        sessions.sort(Comparator.comparingInt((SessionDTO s) -> s.protocol).thenComparingLong(s -> sortable(s.source))
                .thenComparing(s -> s.source).thenComparingInt(s -> s.port));
        Formatter out = new Formatter();
        out.format(BUCKET_FORMAT, "PROTO", "SOURCE", "PORT", "OWNER", "STATE");
        for (SessionDTO s : sessions) {
            out.format(BUCKET_FORMAT, s.protocol, s.source, s.port < 0 ? "-" : Integer.toString(s.port), s.owner, s.state);
        }
        out.format("%s: bucket %02x: %d session(s), epoch %d", name, q.bucket, count.matched, count.epoch);
        return out.toString();
    }

    /** A dotted IPv4 address as a number for sorting; anything else after every address. */
    private static long sortable(String source) {
        String[] p = source.split("\\.");
        if (p.length != 4) {
            return Long.MAX_VALUE;
        }
        try {
            long v = 0;
            for (String x : p) {
                v = v << 8 | Integer.parseInt(x);
            }
            return v;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private String sessions(String name, String source, String port, String node, String limit) {
        SessionQueryDTO q = new SessionQueryDTO();
        q.source = source;
        q.port = (int) Errors.number("port", port);
        q.node = node;
        long max = Errors.number("limit", limit);
        q.limit = max < 0 ? Long.MAX_VALUE : max;
        List<TableDTO> tables = admin.tables(name);
        if (tables.isEmpty()) {
            return name + ": no module serves this cluster";
        }
        PrintStream print = System.out;
        boolean[] headed = {false};
        // Each line is printed as its slice arrives: the listing is never held whole here. The table
        // summary and the counts are the command's answer, so every caller gets them.
        SessionCountDTO count = admin.sessions(name, q, s -> {
            if (!headed[0]) {
                headed[0] = true;
                print.format(SESSION_FORMAT, "PROTO", "SOURCE", "PORT", "OWNER", "STATE", "IDLE(s)", "EXPIRE(s)");
            }
            print.format(SESSION_FORMAT, s.protocol, s.source, s.port < 0 ? "-" : Integer.toString(s.port), s.owner,
                    s.state, seconds(s.idleMillis), seconds(s.expiresInMillis));
        });
        print.flush();
        Formatter out = new Formatter();
        out.format("%s%n", tables(tables));
        out.format("%s: %d session(s) matched, %d listed, epoch %d", name, count.matched, count.listed, count.epoch);
        count.perOwner.forEach((owner, n) -> out.format("%n  %-17s %,10d", owner, n));
        return out.toString();
    }

    private static String seconds(long millis) {
        return String.format("%.1f", millis / 1000.0);
    }

    static String tables(List<TableDTO> tables) {
        Formatter out = new Formatter();
        out.format("%-10s %8s  %-24s %s", "PROTOCOLS", "ENTRIES", "BUNDLE", "TYPE");
        for (TableDTO t : tables) {
            String protocols = t.protocols.length > 4 ? t.protocols.length + " protocols"
                    : Arrays.toString(t.protocols).replaceAll("[\\[\\] ]", "");
            out.format("%n%-10s %8s  %-24s %s", protocols, t.entries < 0 ? "?" : Integer.toString(t.entries),
                    t.bundle, t.type);
        }
        return out.toString();
    }

    @Descriptor("which node owns the next datagram of a client now, and why: its tracked session, or the hash"
            + " bucket and the slice of the current view")
    public CharSequence owner(@Descriptor("cluster name") String name, @Descriptor("client IPv4 address") String client) {
        return owner(name, client, "-1", "");
    }

    @Descriptor("which node owns the next TCP datagram of a client from PORT now, and why")
    public CharSequence owner(@Descriptor("cluster name") String name, @Descriptor("client IPv4 address") String client,
            @Descriptor("the client's source port") String port) {
        return owner(name, client, port, "");
    }

    @Descriptor("which node owns the next datagram of a client from PORT, tcp or udp, now, and why")
    public CharSequence owner(@Descriptor("cluster name") String name, @Descriptor("client IPv4 address") String client,
            @Descriptor("the client's source port") String port, @Descriptor("tcp or udp") String protocol) {
        return Errors.answer("owner", () -> {
            OwnerDTO o = admin.owner(name, client, (int) Errors.number("port", port), protocol);
            String who = client + ("-1".equals(port) ? "" : ":" + port);
            if (o.reason.equals("none")) {
                return name + ": " + who + ": no module serves it";
            }
            Formatter out = new Formatter();
            out.format("%s: %s -> %s%s, by %s (protocol %d, epoch %d)", name, who, o.owner, o.self ? " (this node)" : "",
                    o.reason, o.protocol, o.epoch);
            if (o.session != null) {
                SessionDTO s = o.session;
                out.format("%n  session %s%s %s, idle %s s, expires in %s s", s.source, s.port < 0 ? "" : ":" + s.port,
                        s.state, seconds(s.idleMillis), seconds(s.expiresInMillis));
            } else {
                out.format("%n  key %s, bucket %d of 2^32, slice of %s: %.1f%% (weight %d)", o.key, o.bucket, o.owner,
                        o.share * 100, o.weight);
            }
            return out.toString();
        });
    }
}
