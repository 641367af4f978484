package lnlb.shell.internal;

import java.util.Arrays;
import java.util.Formatter;
import java.util.List;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.TableDTO;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Session tables: what the modules serving a cluster track. */
@Component(service = TableCommands.class)
@GogoCommand(scope = "lnlb", function = {"conntrack"})
public final class TableCommands {
    private final ClusterAdmin admin;

    @Activate
    public TableCommands(@Reference ClusterAdmin admin) {
        this.admin = admin;
    }

    @Descriptor("show the session tables of a cluster: entries per serving module")
    public CharSequence conntrack(@Descriptor("cluster name") String name) {
        return Errors.answer("conntrack", () -> {
            List<TableDTO> tables = admin.tables(name);
            if (tables.isEmpty()) {
                return name + ": no module serves this cluster";
            }
            Formatter out = new Formatter();
            out.format("%-10s %8s  %-24s %s", "PROTOCOLS", "ENTRIES", "BUNDLE", "TYPE");
            for (TableDTO t : tables) {
                String protocols = t.protocols.length > 4 ? t.protocols.length + " protocols"
                        : Arrays.toString(t.protocols).replaceAll("[\\[\\] ]", "");
                out.format("%n%-10s %8s  %-24s %s", protocols, t.entries < 0 ? "?" : Integer.toString(t.entries),
                        t.bundle, t.type);
            }
            return out.toString();
        });
    }
}
