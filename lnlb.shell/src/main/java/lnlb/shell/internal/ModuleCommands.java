package lnlb.shell.internal;

import java.util.Formatter;
import java.util.List;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ModuleDTO;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Protocol modules: which tracker serves which protocol. */
@Component(service = ModuleCommands.class)
@GogoCommand(scope = "lnlb", function = {"modules"})
public final class ModuleCommands {
    private final ClusterAdmin admin;

    @Activate
    public ModuleCommands(@Reference ClusterAdmin admin) {
        this.admin = admin;
    }

    @Descriptor("list the registered protocol modules: protocol, ranking, serving/shadowed/rejected, bundle")
    public CharSequence modules() {
        return Errors.answer("modules", () -> {
            List<ModuleDTO> modules = admin.modules();
            if (modules.isEmpty()) {
                return "no protocol modules";
            }
            Formatter out = new Formatter();
            out.format("%-5s %7s %-9s %7s  %-24s %-22s %s", "PROTO", "RANKING", "STATUS", "SERVICE", "BUNDLE", "VERSION",
                    "TYPE");
            for (ModuleDTO m : modules) {
                out.format("%n%-5s %7d %-9s %7d  %-24s %-22s %s", m.protocol < 0 ? "-" : Integer.toString(m.protocol),
                        m.ranking, m.status, m.serviceId, m.bundle, m.version, m.type);
                if (!m.reason.isEmpty()) {
                    out.format("%n      (%s)", m.reason);
                }
            }
            return out.toString();
        });
    }
}
