package lnlb.shell.internal;

import java.util.Formatter;
import java.util.List;
import java.util.Map;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterDTO;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Counters: what each cluster's engine has done. */
@Component(service = CounterCommands.class)
@GogoCommand(scope = "lnlb", function = {"stats"})
public final class CounterCommands {
    private final ClusterAdmin admin;

    @Activate
    public CounterCommands(@Reference ClusterAdmin admin) {
        this.admin = admin;
    }

    @Descriptor("show the counters of every running cluster")
    public String stats() {
        return Errors.answer("stats", () -> {
            List<ClusterDTO> clusters = admin.clusters();
            Formatter out = new Formatter();
            for (ClusterDTO c : clusters) {
                if (!c.clusterMac.isEmpty()) {
                    counters(out, c.name);
                }
            }
            String text = out.toString().stripTrailing();
            return text.isEmpty() ? "no running clusters" : text;
        });
    }

    @Descriptor("show the counters of one cluster")
    public String stats(@Descriptor("cluster name") String name) {
        return Errors.answer("stats", () -> counters(new Formatter(), name).toString().stripTrailing());
    }

    private Formatter counters(Formatter out, String name) {
        Map<String, Long> counters = admin.counters(name);
        out.format("%s:%n", name);
        counters.forEach((key, value) -> out.format("  %-28s %,d%n", key, value));
        return out;
    }
}
