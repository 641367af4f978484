package lnlb.core.internal.engine;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import lnlb.core.api.Cluster;
import lnlb.core.api.ProtocolModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which module serves each IP protocol of one cluster, and the hand-over when that changes (the
 * original's {@code proto_modules[]}, slot 0 = default handler). A replacement gets the old
 * module's state before it sees a datagram. A module that goes with nobody to replace it leaves
 * its state here and its protocol <em>orphaned</em>: the engine holds that protocol's datagrams
 * until a module returns (it gets the state, then the held datagrams) or the grace period ends
 * (protocol 0 takes over). Owned by the cluster's loop.
 */
final class ModuleTable {
    private static final Logger LOG = LoggerFactory.getLogger(ModuleTable.class);

    private final Cluster cluster;
    private final EngineCounters counters;
    private final ProtocolModule[] modules = new ProtocolModule[256];
    private final byte[][] orphanState = new byte[256][];
    private final long[] orphanDeadline = new long[256];
    private final long[] orphanSince = new long[256];
    private final boolean[] orphaned = new boolean[256];
    private int orphans;

    ModuleTable(Cluster cluster, EngineCounters counters) {
        this.cluster = cluster;
        this.counters = counters;
    }

    ProtocolModule get(int protocol) {
        return modules[protocol];
    }

    /** True while {@code protocol} waits for a module to return. Cheap when nothing is orphaned. */
    boolean orphaned(int protocol) {
        return orphans != 0 && orphaned[protocol];
    }

    boolean anyOrphaned() {
        return orphans != 0;
    }

    /**
     * Makes {@code module} (null: nobody) serve {@code protocol}. Returns true when an orphaned
     * protocol got its module back, so the engine must replay what it held.
     */
    boolean serve(int protocol, ProtocolModule module, long now, long graceMillis) {
        ProtocolModule old = modules[protocol];
        if (old == module) {
            return false;
        }
        long started = System.nanoTime();
        byte[] state = null;
        if (old != null) {
            state = call(old, "saveState", () -> old.saveState(cluster));
        } else if (orphaned[protocol]) {
            state = orphanState[protocol];
        }
        boolean returned = false;
        if (module != null) {
            if (!isServing(module)) {
                run(module, "clusterCreated", () -> module.clusterCreated(cluster));
            }
            if (state != null) {
                byte[] dump = state;
                if (!run(module, "loadState", () -> module.loadState(cluster, dump))) {
                    LOG.error("{}: {} rejected the state of protocol {} from {}; it starts empty",
                            cluster.name(), module, protocol, old != null ? old : "the departed module");
                }
            }
            if (orphaned[protocol]) {
                counters.swapHoldMillis = now - orphanSince[protocol];
            }
            returned = clearOrphan(protocol);
        } else if (old != null) {
            orphaned[protocol] = true;
            orphans++;
            orphanState[protocol] = state;
            orphanDeadline[protocol] = now + graceMillis;
            orphanSince[protocol] = now;
            LOG.info("{}: protocol {} has no module; its datagrams wait up to {} ms for one", cluster.name(), protocol,
                    graceMillis);
        }
        modules[protocol] = module;
        if (old != null && !isServing(old)) {
            run(old, "clusterDeleted", () -> old.clusterDeleted(cluster));
        }
        if (state != null || old != null) {
            counters.swapMoves++;
            counters.swapMoveMillis = (System.nanoTime() - started) / 1_000_000;
            LOG.info("{}: protocol {} served by {}; state moved in {} ms", cluster.name(), protocol, module,
                    counters.swapMoveMillis);
        } else {
            LOG.info("{}: protocol {} served by {}", cluster.name(), protocol, module);
        }
        return returned;
    }

    /** Ends the grace period of protocols nobody came back for; true if any ended (replay what was held). */
    boolean expireOrphans(long now) {
        if (orphans == 0) {
            return false;
        }
        boolean expired = false;
        for (int protocol = 0; protocol < orphaned.length; protocol++) {
            if (orphaned[protocol] && now >= orphanDeadline[protocol]) {
                LOG.warn("{}: no module for protocol {} came back in time; protocol 0 serves it now and its state is dropped",
                        cluster.name(), protocol);
                counters.swapHoldMillis = now - orphanSince[protocol];
                clearOrphan(protocol);
                expired = true;
            }
        }
        return expired;
    }

    private boolean clearOrphan(int protocol) {
        if (!orphaned[protocol]) {
            return false;
        }
        orphaned[protocol] = false;
        orphanState[protocol] = null;
        orphans--;
        return true;
    }

    /** Every serving module once (several protocols may share one). */
    List<ProtocolModule> distinct() {
        Map<ProtocolModule, Boolean> seen = new IdentityHashMap<>();
        List<ProtocolModule> list = new ArrayList<>();
        for (ProtocolModule m : modules) {
            if (m != null && seen.put(m, Boolean.TRUE) == null) {
                list.add(m);
            }
        }
        return list;
    }

    private boolean isServing(ProtocolModule module) {
        for (ProtocolModule m : modules) {
            if (m == module) {
                return true;
            }
        }
        return false;
    }

    /** Calls a module outside the hot path; a throw is logged and counted, never propagated. */
    <T> T call(ProtocolModule module, String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            counters.moduleErrors++;
            LOG.error("{}: module {} failed in {}", cluster.name(), module, what, e);
            return null;
        }
    }

    boolean run(ProtocolModule module, String what, Runnable call) {
        try {
            call.run();
            return true;
        } catch (RuntimeException e) {
            counters.moduleErrors++;
            LOG.error("{}: module {} failed in {}: {}", cluster.name(), module, what, e.getMessage());
            return false;
        }
    }
}
