package lnlb.shell.internal;

import java.util.Formatter;
import java.util.List;
import java.util.Locale;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterDTO;
import lnlb.core.api.admin.ClusterSpecDTO;
import lnlb.core.api.admin.NodeDTO;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Clusters: create, delete, resynchronise and list them with their nodes. */
@Component(service = ClusterCommands.class)
@GogoCommand(scope = "lnlb", function = {"addif", "delif", "resync", "nodes"})
public final class ClusterCommands {
    private final ClusterAdmin admin;

    @Activate
    public ClusterCommands(@Reference ClusterAdmin admin) {
        this.admin = admin;
    }

    @Descriptor("create a cluster: balance VIP on DEV (the virtual interface is the next free nlbN)")
    public CharSequence addif(
            @Descriptor("use the in-memory link (no network; for trying and testing)")
            @Parameter(names = {"-m", "--memory"}, presentValue = "true", absentValue = "false") boolean memory,
            @Descriptor("link type (lnlb.link.type of the link provider)")
            @Parameter(names = {"-l", "--link"}, absentValue = "linux") String link,
            @Descriptor("milliseconds between heartbeats (>= 10; 0 = default)")
            @Parameter(names = {"-i", "--interval"}, absentValue = "0") String interval,
            @Descriptor("heartbeats a node may miss before it is declared dead (>= 2; 0 = default)")
            @Parameter(names = {"-t", "--tolerance"}, absentValue = "0") String tolerance,
            @Descriptor("affinity where no port rule matches: source (default), connection or network")
            @Parameter(names = {"-a", "--affinity"}, absentValue = "") String affinity,
            @Descriptor("port rules PROTO:PORTS:AFFINITY,... e.g. tcp:80,443:connection,udp:53:connection")
            @Parameter(names = {"-r", "--rules"}, absentValue = "") String rules,
            @Descriptor("the cluster IP") String vip,
            @Descriptor("the real device, e.g. eth0") String dev) {
        return addif(memory, link, interval, tolerance, affinity, rules, vip, dev, "");
    }

    @Descriptor("create a cluster: balance VIP on DEV through the virtual interface NAME")
    public CharSequence addif(
            @Descriptor("use the in-memory link (no network; for trying and testing)")
            @Parameter(names = {"-m", "--memory"}, presentValue = "true", absentValue = "false") boolean memory,
            @Descriptor("link type (lnlb.link.type of the link provider)")
            @Parameter(names = {"-l", "--link"}, absentValue = "linux") String link,
            @Descriptor("milliseconds between heartbeats (>= 10; 0 = default)")
            @Parameter(names = {"-i", "--interval"}, absentValue = "0") String interval,
            @Descriptor("heartbeats a node may miss before it is declared dead (>= 2; 0 = default)")
            @Parameter(names = {"-t", "--tolerance"}, absentValue = "0") String tolerance,
            @Descriptor("affinity where no port rule matches: source (default), connection or network")
            @Parameter(names = {"-a", "--affinity"}, absentValue = "") String affinity,
            @Descriptor("port rules PROTO:PORTS:AFFINITY,... e.g. tcp:80,443:connection,udp:53:connection")
            @Parameter(names = {"-r", "--rules"}, absentValue = "") String rules,
            @Descriptor("the cluster IP") String vip,
            @Descriptor("the real device, e.g. eth0") String dev,
            @Descriptor("name of the cluster and its virtual interface") String name) {
        return Errors.answer("addif", () -> {
            ClusterSpecDTO spec = new ClusterSpecDTO();
            spec.vip = vip;
            spec.device = dev;
            spec.name = name;
            spec.linkType = memory ? "memory" : link;
            spec.heartbeatIntervalMillis = Errors.number("interval", interval);
            spec.tolerance = Errors.intNumber("tolerance", tolerance);
            spec.affinity = affinity;
            spec.portRules = rules;
            String created = admin.create(spec);
            return new Formatter().format("%s: %s on %s (%s link)", created, vip, dev, spec.linkType).toString();
        });
    }

    @Descriptor("delete a cluster: this node leaves it and its virtual interface goes")
    public CharSequence delif(@Descriptor("cluster name") String name) {
        return Errors.answer("delif", () -> {
            admin.delete(name);
            return name + ": deleted";
        });
    }

    @Descriptor("leave a cluster and join it again, taking the session tables afresh from the other nodes")
    public CharSequence resync(@Descriptor("cluster name") String name) {
        return Errors.answer("resync", () -> {
            admin.resync(name);
            return name + ": leaving and joining again";
        });
    }

    @Descriptor("list every cluster with its nodes, weights and states")
    public CharSequence nodes() {
        return Errors.answer("nodes", () -> {
            List<ClusterDTO> clusters = admin.clusters();
            if (clusters.isEmpty()) {
                return "no clusters";
            }
            Formatter out = new Formatter();
            for (ClusterDTO c : clusters) {
                describe(out, c);
            }
            return out.toString().stripTrailing();
        });
    }

    @Descriptor("list the nodes of one cluster with their weights and states")
    public CharSequence nodes(@Descriptor("cluster name") String name) {
        return Errors.answer("nodes", () -> {
            for (ClusterDTO c : admin.clusters()) {
                if (c.name.equals(name)) {
                    return describe(new Formatter(), c).toString().stripTrailing();
                }
            }
            throw new IllegalArgumentException("no cluster " + name);
        });
    }

    private Formatter describe(Formatter out, ClusterDTO c) {
        out.format("%s: %s on %s, %s", c.name, c.vip, c.device, c.state);
        if (c.clusterMac.isEmpty()) {
            return out.format("%s%n", declared(c));
        }
        out.format(", epoch %d, %d member(s), cluster MAC %s, weight %d (%s)%s%s%n", c.epoch, c.members, c.clusterMac,
                c.weight, c.weightMode, declared(c), c.draining ? ", draining" : "");
        // The rules every node decides by, and their digest: what a joining node must have.
        out.format("  rules %s (digest %s)%s%n", c.rules, c.rulesDigest,
                c.ownRules.equals(c.rules) ? "" : "; this node's own: " + c.ownRules);
        if (!c.refusal.isEmpty()) {
            out.format("  %s%n", c.refusal);
        }
        // SHARE: the node's slice of the view's cut table, i.e. its share of new sessions.
        out.format("  %-17s %8s %6s  %-8s %9s %9s%n", "NODE", "WEIGHT", "SHARE", "STATE", "HEARD(ms)", "SESSIONS");
        for (NodeDTO n : admin.nodes(c.name)) {
            out.format("  %-17s %8d %6s  %-8s %9s %9d%s%s%n", n.mac, n.weight, String.format(Locale.ROOT, "%.1f%%", n.share),
                    n.state, n.self ? "-" : n.lastHeardMillis < 0 ? "never" : Long.toString(n.lastHeardMillis), n.sessions,
                    n.self ? "  this node" : "", n.coordinator ? "  coordinator" : "");
        }
        return out;
    }

    private static String declared(ClusterDTO c) {
        return c.source == null || c.source.isEmpty() ? "" : ", declared in " + c.source;
    }
}
