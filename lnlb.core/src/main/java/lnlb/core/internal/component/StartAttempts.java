package lnlb.core.internal.component;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Component;

/**
 * How the last attempt to start each cluster ended, by configuration PID. {@link ClusterComponent}
 * reports every attempt (activation, a changed configuration); {@link ClusterAdminImpl} shows the
 * failure of a down cluster and lets {@code addif} wait for the first attempt of the cluster it
 * made, so that a cluster which cannot start is refused at once instead of left down.
 */
@Component(service = StartAttempts.class)
public final class StartAttempts {
    /** A start attempt's outcome: the reason it failed, empty when the cluster started. */
    public record Outcome(Optional<String> failure) {
        static Outcome started() {
            return new Outcome(Optional.empty());
        }

        static Outcome failed(String reason) {
            return new Outcome(Optional.of(reason));
        }
    }

    private final Map<String, Outcome> last = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Outcome>> awaited = new ConcurrentHashMap<>();

    /** The next attempt for {@code pid}, whatever attempts came before (call it before configuring). */
    CompletableFuture<Outcome> next(String pid) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        awaited.put(pid, outcome);
        return outcome;
    }

    /**
     * Waits up to {@code millis} for the first start of {@code pid} ({@code outcome} from
     * {@link #next}). Returns why it failed or did not come, or null when the cluster started.
     */
    String awaitFirst(String name, String pid, CompletableFuture<Outcome> outcome, long millis) {
        try {
            return outcome.get(millis, TimeUnit.MILLISECONDS).failure().orElse(null);
        } catch (TimeoutException e) {
            return name + " did not start within " + millis / 1000 + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while " + name + " was starting";
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause());
        } finally {
            cancel(pid, outcome);
        }
    }

    /** Stops waiting for {@code pid} (the waiter gave up). */
    void cancel(String pid, CompletableFuture<Outcome> outcome) {
        awaited.remove(pid, outcome);
    }

    void started(String pid) {
        record(pid, Outcome.started());
    }

    void failed(String pid, String reason) {
        record(pid, Outcome.failed(reason == null || reason.isBlank() ? "no reason given" : reason));
    }

    /** The component of {@code pid} went (its configuration was deleted, its link provider left). */
    void forget(String pid) {
        if (pid != null) {
            last.remove(pid);
        }
    }

    /** Why the last attempt to start {@code pid} failed, if it did. */
    Optional<String> failure(String pid) {
        Outcome outcome = pid == null ? null : last.get(pid);
        return outcome == null ? Optional.empty() : outcome.failure();
    }

    private void record(String pid, Outcome outcome) {
        if (pid == null) {
            return;
        }
        last.put(pid, outcome);
        CompletableFuture<Outcome> waiting = awaited.remove(pid);
        if (waiting != null) {
            waiting.complete(outcome);
        }
    }
}
