package lnlb.core.internal.engine;

import java.util.List;
import lnlb.core.api.Cluster;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.table.SessionEntries;

/**
 * A drain with {@code --leave}: the node leaves once the view carries its drain and it owns no
 * live session, at the latest at a deadline. Its sessions are counted in bounded slices, one per
 * engine tick, so a table of a million entries never stalls the loop; a pass that saw a module
 * change (a hot swap) starts again.
 */
final class DrainExit {
    /** Slots visited per tick: the listing's slice (a few ms at most). */
    static final int SLICE_SLOTS = 16_384;

    private boolean armed;
    private long deadline;
    private List<ProtocolModule> pass;
    private int moduleIndex;
    private int cursor;
    private long counted;
    private long lastCount = -1;

    /** Leave once drained, at the latest at {@code deadline} (Long.MAX_VALUE: no limit). */
    void arm(long deadline) {
        this.armed = true;
        this.deadline = deadline;
        this.pass = null;
    }

    void disarm() {
        armed = false;
        pass = null;
    }

    boolean armed() {
        return armed;
    }

    /** Sessions counted by the last complete pass (-1: none yet). */
    long lastCount() {
        return lastCount;
    }

    /**
     * One step, on the loop: true when the node should leave now (drained, or the deadline came).
     * Counting starts only once the view carries the drain: before that new sessions still come.
     */
    boolean step(long now, boolean drainInView, List<ProtocolModule> modules, Cluster cluster, long self) {
        if (!armed) {
            return false;
        }
        if (now >= deadline) {
            return true;
        }
        if (!drainInView) {
            pass = null;
            return false;
        }
        if (pass == null || !sameModules(modules)) {
            pass = modules;
            moduleIndex = 0;
            cursor = 0;
            counted = 0;
        }
        while (moduleIndex < pass.size() && !(pass.get(moduleIndex) instanceof SessionEntries)) {
            moduleIndex++;
        }
        if (moduleIndex < pass.size()) {
            SessionEntries entries = (SessionEntries) pass.get(moduleIndex);
            long idle = entries.entryIdleMillis();
            cursor = entries.visit(cluster, cursor, SLICE_SLOTS, (key, owner, lastSeen, state) -> {
                if (owner == self && now - lastSeen < idle) {
                    counted++;
                }
            });
            if (cursor == SessionEntries.END) {
                moduleIndex++;
                cursor = 0;
            }
            return false;
        }
        lastCount = counted;
        pass = null; // the next step starts a new pass
        return counted == 0;
    }

    private boolean sameModules(List<ProtocolModule> modules) {
        if (modules.size() != pass.size()) {
            return false;
        }
        for (int i = 0; i < modules.size(); i++) {
            if (modules.get(i) != pass.get(i)) {
                return false;
            }
        }
        return true;
    }
}
