package lnlb.core.internal.run;

import java.util.ArrayList;
import java.util.List;
import lnlb.core.internal.loop.EventLoop;

/** A virtual-time loop whose tasks wait while the node is frozen (SIGSTOP), and run at the thaw. */
final class FreezableLoop implements EventLoop {
    private final EventLoop inner;
    private final List<Runnable> held = new ArrayList<>();
    boolean frozen;

    FreezableLoop(EventLoop inner) {
        this.inner = inner;
    }

    @Override
    public long nowMillis() {
        return inner.nowMillis();
    }

    @Override
    public void execute(Runnable task) {
        inner.execute(hold(task));
    }

    @Override
    public Timer schedule(long delayMillis, Runnable task) {
        return inner.schedule(delayMillis, hold(task));
    }

    @Override
    public boolean inLoop() {
        return inner.inLoop();
    }

    private Runnable hold(Runnable task) {
        return () -> {
            if (frozen) {
                held.add(task);
            } else {
                task.run();
            }
        };
    }

    void thaw() {
        frozen = false;
        List<Runnable> due = new ArrayList<>(held);
        held.clear();
        due.forEach(Runnable::run);
    }
}
