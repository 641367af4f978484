package lnlb.node.internal;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * {@code lnlb:log [-f] [-n N]}: the node's recent log at the prompt or through {@code lnlbctl log},
 * whether the log goes to a file or to the journal. A Gogo command registered by hand (lnlb.node
 * runs before SCR): Gogo calls {@link #log(String...)} by its name.
 */
public final class LogCommand {
    static final int DEFAULT_LINES = 50;
    /** A follower that falls this far behind loses lines rather than holding the node's memory. */
    private static final int FOLLOW_BACKLOG = 10_000;

    private final RecentLog recent;
    private final String where;

    LogCommand(RecentLog recent, String where) {
        this.recent = recent;
        this.where = where;
    }

    /** Gogo calls this: {@code log [-f] [-n N]}; returns the lines (not following) or prints them as they come (-f, until Ctrl-C). */
    public CharSequence log(String... args) throws InterruptedException {
        Options options = Options.parse(args);
        List<String> lines = recent.last(options.lines);
        if (!options.follow) {
            StringBuilder text = new StringBuilder();
            lines.forEach(l -> text.append(l).append('\n'));
            return text.length() == 0 ? "(nothing logged yet; the log: " + where + ")" : text.toString().stripTrailing();
        }
        follow(lines, System.out);
        return null;
    }

    private void follow(List<String> first, PrintStream out) throws InterruptedException {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>(FOLLOW_BACKLOG);
        Consumer<String> follower = queue::offer;
        recent.follow(follower);
        try {
            first.forEach(out::println);
            out.flush();
            while (!Thread.currentThread().isInterrupted()) {
                out.println(queue.take());
                out.flush();
            }
        } finally {
            recent.unfollow(follower);
        }
    }

    record Options(boolean follow, int lines) {
        static Options parse(String... args) {
            boolean follow = false;
            Integer lines = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-f", "--follow" -> follow = true;
                    case "-n", "--lines" -> {
                        if (i + 1 == args.length) {
                            throw new IllegalArgumentException("-n needs a number of lines");
                        }
                        lines = count(args[++i]);
                    }
                    default -> throw new IllegalArgumentException("usage: lnlb:log [-f] [-n N] (unknown: " + args[i] + ")");
                }
            }
            return new Options(follow, lines != null ? lines : follow ? 10 : DEFAULT_LINES);
        }

        private static int count(String text) {
            try {
                int n = Integer.parseInt(text);
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException("-n needs a number of lines >= 0: " + text);
        }
    }
}
