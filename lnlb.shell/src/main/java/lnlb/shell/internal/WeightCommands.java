package lnlb.shell.internal;

import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterDTO;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Weights: how this node tells the others how busy it is. */
@Component(service = WeightCommands.class)
@GogoCommand(scope = "lnlb", function = {"weightmode", "weight"})
public final class WeightCommands {
    private final ClusterAdmin admin;

    @Activate
    public WeightCommands(@Reference ClusterAdmin admin) {
        this.admin = admin;
    }

    @Descriptor("set how this node computes its weight in a cluster")
    public CharSequence weightmode(@Descriptor("cluster name") String name,
            @Descriptor("equal, loadavg, loadavg5, loadavg15, freemem or manual") String mode) {
        return Errors.answer("weightmode", () -> {
            admin.weightMode(name, mode);
            return name + ": weight mode " + mode + untilRestart(name);
        });
    }

    @Descriptor("set this node's manual weight in a cluster (weight mode manual only)")
    public CharSequence weight(@Descriptor("cluster name") String name,
            @Descriptor("the weight, 1..1000000 (higher = busier)") String weight) {
        return Errors.answer("weight", () -> {
            admin.weight(name, Errors.intNumber("weight", weight));
            return name + ": weight " + weight + untilRestart(name);
        });
    }

    /** Changes to a cluster declared in a file last until the runtime restarts: the file is the truth. */
    private String untilRestart(String name) {
        for (ClusterDTO c : admin.clusters()) {
            if (c.name.equals(name) && c.source != null && !c.source.isEmpty()) {
                return " until the runtime restarts (declared in " + c.source + ": edit that file to keep it)";
            }
        }
        return "";
    }
}
