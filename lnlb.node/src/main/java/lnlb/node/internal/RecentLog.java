package lnlb.node.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The last lines logged, whatever their destination, for {@code lnlb:log}; and who follows new ones. */
final class RecentLog {
    private final int capacity;
    private final ArrayDeque<String> lines;
    private final List<Consumer<String>> followers = new CopyOnWriteArrayList<>();

    RecentLog(int capacity) {
        this.capacity = capacity;
        this.lines = new ArrayDeque<>(capacity);
    }

    void add(String line) {
        synchronized (lines) {
            if (lines.size() == capacity) {
                lines.removeFirst();
            }
            lines.addLast(line);
        }
        for (Consumer<String> f : followers) {
            f.accept(line);
        }
    }

    /** The last {@code n} lines, oldest first. */
    List<String> last(int n) {
        synchronized (lines) {
            List<String> all = new ArrayList<>(lines);
            return new ArrayList<>(all.subList(Math.max(0, all.size() - Math.max(0, n)), all.size()));
        }
    }

    void follow(Consumer<String> follower) {
        followers.add(follower);
    }

    void unfollow(Consumer<String> follower) {
        followers.remove(follower);
    }
}
