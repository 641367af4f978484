package lnlb.core.internal.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real {@link ThreadEventLoop} on the virtual clock: the test moves time, so how late a timer
 * runs is exact, and the loop only turns when the test wakes it (no sleeps, no timing).
 */
class ThreadEventLoopStallTest {
    private final VirtualTime time = new VirtualTime(0);
    private final HandCrankedIo io = new HandCrankedIo();
    private final ThreadEventLoop loop = new ThreadEventLoop("stall-test", time::nowMillis);

    /** Waits in poll until woken, whatever timeout the loop asks for: time moves only with the test. */
    private static final class HandCrankedIo implements ThreadEventLoop.Io {
        private final Semaphore wakeups = new Semaphore(0);

        @Override
        public void poll(long timeoutMillis) throws InterruptedException {
            wakeups.tryAcquire(30, TimeUnit.SECONDS);
            wakeups.drainPermits();
        }

        @Override
        public void wakeup() {
            wakeups.release();
        }
    }

    @AfterEach
    void stop() {
        loop.stop(5_000);
    }

    @Test
    void aTimerRunLateByTheClockIsCountedAsAStall() throws Exception {
        loop.start(io);
        CompletableFuture<Long> ranAt = new CompletableFuture<>();
        loop.schedule(10, () -> ranAt.complete(loop.nowMillis()));

        time.runFor(260); // the loop did not turn for 260 ms of its clock: SIGSTOP, a GC pause
        io.wakeup();

        assertEquals(260, ranAt.get(30, TimeUnit.SECONDS));
        assertEquals(new Stalls(1, 250, 250), stalls());
    }

    @Test
    void onTimeAndSlightlyLateTimersAreNoStalls() throws Exception {
        loop.start(io);
        CompletableFuture<Void> first = new CompletableFuture<>();
        loop.schedule(50, () -> first.complete(null));
        time.runFor(50);
        io.wakeup();
        first.get(30, TimeUnit.SECONDS);

        CompletableFuture<Void> second = new CompletableFuture<>();
        loop.schedule(10, () -> second.complete(null));
        time.runFor(109); // 99 ms late: under the 100 ms threshold
        io.wakeup();
        second.get(30, TimeUnit.SECONDS);

        assertEquals(new Stalls(0, 99, 0), stalls());
    }

    @Test
    void aCancelledTimerIsNotMeasured() throws Exception {
        loop.start(io);
        loop.schedule(10, () -> { }).cancel();
        time.runFor(5_000);
        io.wakeup();
        assertEquals(new Stalls(0, 0, 0), stalls());
    }

    record Stalls(long count, long maxLateMillis, long lastStallMillis) {
    }

    /** Read on the loop, as the status requests read it. */
    private Stalls stalls() throws Exception {
        CompletableFuture<Stalls> answer = new CompletableFuture<>();
        loop.execute(() -> answer.complete(new Stalls(loop.stalls().stalls(), loop.stalls().maxLateMillis(),
                loop.stalls().lastStallMillis())));
        return answer.get(30, TimeUnit.SECONDS);
    }
}
