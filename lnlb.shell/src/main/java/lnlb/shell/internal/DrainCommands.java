package lnlb.shell.internal;

import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterDTO;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Affinity and drain: which node a client's sessions stick to, and taking a node out of service gently. */
@Component(service = DrainCommands.class)
@GogoCommand(scope = "lnlb", function = {"drain", "undrain", "rules"})
public final class DrainCommands {
    private final ClusterAdmin admin;

    @Activate
    public DrainCommands(@Reference ClusterAdmin admin) {
        this.admin = admin;
    }

    @Descriptor("drain this node: it keeps serving its sessions and takes no new one")
    public CharSequence drain(
            @Descriptor("leave the cluster once this node owns no session (or at the timeout)")
            @Parameter(names = {"-l", "--leave"}, presentValue = "true", absentValue = "false") boolean leave,
            @Descriptor("with --leave: leave after this many seconds at the latest (0 = no limit)")
            @Parameter(names = {"-t", "--timeout"}, absentValue = "0") String timeout,
            @Descriptor("cluster name") String name) {
        return Errors.answer("drain", () -> {
            long seconds = Errors.number("timeout", timeout);
            admin.drain(name, leave, seconds);
            return name + ": draining (no new session comes here; lnlbctl nodes " + name + " shows its sessions)"
                    + (leave ? "; leaving once they are over" + (seconds > 0 ? " or after " + seconds + " s" : "") : "");
        });
    }

    @Descriptor("end a drain: this node takes new sessions again")
    public CharSequence undrain(@Descriptor("cluster name") String name) {
        return Errors.answer("undrain", () -> {
            admin.undrain(name);
            return name + ": taking new sessions";
        });
    }

    @Descriptor("show the port rules of a cluster: the view's (every node decides by them), their digest, this node's")
    public CharSequence rules(@Descriptor("cluster name") String name) {
        return Errors.answer("rules", () -> {
            ClusterDTO c = cluster(name);
            return name + ": rules " + c.rules + " (digest " + c.rulesDigest + ")"
                    + (c.ownRules.equals(c.rules) ? "" : "\nthis node's own: " + c.ownRules + " (the view changes when "
                    + "its coordinator has them)") + (c.refusal.isEmpty() ? "" : "\n" + c.refusal);
        });
    }

    @Descriptor("set this node's affinity and port rules (set the same on every node; applied live as a view change)")
    public CharSequence rules(@Descriptor("cluster name") String name,
            @Descriptor("affinity where no rule matches: source, connection or network") String affinity,
            @Descriptor("rules PROTO:PORTS:AFFINITY, the first match wins (e.g. tcp:80,443:connection), or none")
                    String... rules) {
        return Errors.answer("rules", () -> {
            String joined = String.join(" ", rules);
            admin.rules(name, affinity, joined.equals("none") ? "" : joined);
            return name + ": affinity " + affinity + ", port rules " + (joined.isEmpty() ? "none" : joined);
        });
    }

    private ClusterDTO cluster(String name) {
        for (ClusterDTO c : admin.clusters()) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no cluster " + name);
    }
}
