package lnlb.console.internal;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterDTO;
import org.apache.felix.service.command.CommandSession;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Tab completion at the prompt: the first word from every Gogo command (scoped, {@code lnlb:nodes},
 * and plain, {@code nodes}); after an lnlb command the names of the clusters, a weight mode after
 * {@code weightmode NAME}, the bundles' symbolic names after {@code swap}. Read when TAB is
 * pressed, so new clusters and bundles complete at once.
 */
final class CommandCompleter implements Completer {
    /** lnlb commands whose first argument is a cluster name. */
    static final Set<String> CLUSTER_COMMANDS = Set.of("delif", "resync", "nodes", "stats", "weightmode", "weight",
            "conntrack", "owner");
    static final List<String> WEIGHT_MODES = List.of("equal", "loadavg", "loadavg5", "loadavg15", "freemem", "manual");

    private final CommandSession session;
    private final ClusterAdmin admin;
    private final BundleContext context;

    CommandCompleter(CommandSession session, ClusterAdmin admin, BundleContext context) {
        this.session = session;
        this.admin = admin;
        this.context = context;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int index = line.wordIndex();
        Collection<String> choices = index == 0 ? commands(session.get(".commands"))
                : arguments(words.get(0), positional(words.subList(1, index)));
        for (String c : choices) {
            candidates.add(new Candidate(c));
        }
    }

    /** Gogo's command names ({@code scope:function}) and their functions alone. */
    static Set<String> commands(Object registered) {
        Set<String> names = new TreeSet<>();
        if (registered instanceof Collection<?> all) {
            for (Object o : all) {
                String name = String.valueOf(o);
                names.add(name);
                names.add(name.substring(name.indexOf(':') + 1));
            }
        }
        return names;
    }

    /** The position of the word being completed among the arguments that are no option nor an option's number. */
    static int positional(List<String> before) {
        int n = 0;
        for (String w : before) {
            if (!w.startsWith("-") && !w.matches("\\d+")) {
                n++;
            }
        }
        return n;
    }

    /** What may come at argument {@code position} (0 = the first) of {@code command}. */
    Collection<String> arguments(String command, int position) {
        int colon = command.indexOf(':');
        if (colon >= 0 && !command.substring(0, colon).equals("lnlb")) {
            return List.of();
        }
        String function = command.substring(colon + 1);
        if (function.equals("swap")) {
            return position == 0 ? bundles() : List.of();
        }
        if (!CLUSTER_COMMANDS.contains(function)) {
            return List.of();
        }
        if (position == 0) {
            return clusters();
        }
        return function.equals("weightmode") && position == 1 ? WEIGHT_MODES : List.of();
    }

    private Set<String> clusters() {
        Set<String> names = new TreeSet<>();
        for (ClusterDTO c : admin.clusters()) {
            names.add(c.name);
        }
        return names;
    }

    private Set<String> bundles() {
        Set<String> names = new TreeSet<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() != null) {
                names.add(b.getSymbolicName());
            }
        }
        return names;
    }
}
