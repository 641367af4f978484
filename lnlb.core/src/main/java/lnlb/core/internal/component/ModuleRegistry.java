package lnlb.core.internal.component;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import lnlb.core.api.ProtocolModule;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ProtocolModule whiteboard: every registered module, and per protocol the one that serves
 * (highest ranking, then lowest service id). The only synchronised structure: it never touches a
 * cluster's state, it tells each cluster's loop which module now serves a protocol.
 */
@Component(service = ModuleRegistry.class, immediate = true)
public final class ModuleRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ModuleRegistry.class);

    /** A cluster, told on its own loop which module serves a protocol. */
    public interface Listener {
        /** Switch protocol {@code protocol} to {@code module} (null: none) and return when done. */
        void serve(int protocol, ProtocolModule module);
    }

    private final List<ModuleInfo> modules = new ArrayList<>();
    private final ProtocolModule[] serving = new ProtocolModule[256];
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeModule", updated = "updatedModule")
    public void addModule(ProtocolModule module, Map<String, Object> properties) {
        ModuleInfo info = ModuleInfo.of(module, properties);
        if (info.problem() != null) {
            LOG.warn("{}: {}", module, info.problem());
        }
        synchronized (this) {
            modules.add(info);
            recompute();
        }
    }

    public void updatedModule(ProtocolModule module, Map<String, Object> properties) {
        ModuleInfo info = ModuleInfo.of(module, properties);
        synchronized (this) {
            int i = indexOf(module);
            if (i >= 0 && modules.get(i).isSame(info)) {
                return;
            }
            if (i >= 0) {
                modules.set(i, info);
            } else {
                modules.add(info);
            }
            recompute();
        }
    }

    public void removeModule(ProtocolModule module, Map<String, Object> properties) {
        synchronized (this) {
            int i = indexOf(module);
            if (i >= 0) {
                modules.remove(i);
            }
            // The clusters save the departing module's state before this returns: the providing
            // component is deactivated as soon as unbind is done.
            recompute();
        }
    }

    /** Adds a cluster and brings it up to date with every protocol served now. */
    public synchronized void attach(Listener listener) {
        listeners.add(listener);
        for (int protocol = 0; protocol < serving.length; protocol++) {
            if (serving[protocol] != null) {
                listener.serve(protocol, serving[protocol]);
            }
        }
    }

    public void detach(Listener listener) {
        listeners.remove(listener);
    }

    /** Every registration, with whether it serves, is shadowed or was rejected. */
    public synchronized List<String> describe() {
        List<ModuleInfo> sorted = new ArrayList<>(modules);
        Collections.sort(sorted);
        List<String> lines = new ArrayList<>();
        for (ModuleInfo info : sorted) {
            String status = info.problem() != null ? info.problem()
                    : serving[info.protocol()] == info.module() ? "serving" : "shadowed by a higher-ranked module";
            lines.add(info + ": " + status);
        }
        return lines;
    }

    /** Every registration, highest ranking first (a snapshot for status dumps). */
    public synchronized List<ModuleInfo> modules() {
        List<ModuleInfo> sorted = new ArrayList<>(modules);
        Collections.sort(sorted);
        return sorted;
    }

    /** The module serving {@code protocol} now, or null. */
    public synchronized ProtocolModule serving(int protocol) {
        return serving[protocol];
    }

    private int indexOf(ProtocolModule module) {
        for (int i = 0; i < modules.size(); i++) {
            if (modules.get(i).module() == module) {
                return i;
            }
        }
        return -1;
    }

    private void recompute() {
        ProtocolModule[] winners = new ProtocolModule[256];
        ModuleInfo[] best = new ModuleInfo[256];
        for (ModuleInfo info : modules) {
            if (info.problem() == null && (best[info.protocol()] == null || info.compareTo(best[info.protocol()]) < 0)) {
                best[info.protocol()] = info;
                winners[info.protocol()] = info.module();
            }
        }
        for (int protocol = 0; protocol < 256; protocol++) {
            if (winners[protocol] != serving[protocol]) {
                serving[protocol] = winners[protocol];
                LOG.info("protocol {} now served by {}", protocol, best[protocol]);
                for (Listener listener : listeners) {
                    listener.serve(protocol, winners[protocol]);
                }
            }
        }
    }
}
