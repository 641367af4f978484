package lnlb.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterDTO;
import org.junit.jupiter.api.Test;

class CommandCompleterTest {
    private static ClusterAdmin clusters(String... names) {
        return (ClusterAdmin) Proxy.newProxyInstance(ClusterAdmin.class.getClassLoader(), new Class<?>[] {ClusterAdmin.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("clusters")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return java.util.Arrays.stream(names).map(n -> {
                        ClusterDTO c = new ClusterDTO();
                        c.name = n;
                        return c;
                    }).toList();
                });
    }

    @Test
    void commandsCompleteScopedAndPlain() {
        Set<String> names = CommandCompleter.commands(List.of("lnlb:weight", "lnlb:weightmode", "felix:lb"));
        assertEquals(Set.of("lnlb:weight", "weight", "lnlb:weightmode", "weightmode", "felix:lb", "lb"), names);
        assertTrue(CommandCompleter.commands(null).isEmpty());
    }

    @Test
    void clusterNamesAfterLnlbCommandsWeightModesAfterTheName() {
        CommandCompleter completer = new CommandCompleter(null, clusters("web", "nlb0"), null);
        assertEquals(Set.of("nlb0", "web"), Set.copyOf(completer.arguments("lnlb:nodes", 0)));
        assertEquals(Set.of("nlb0", "web"), Set.copyOf(completer.arguments("stats", CommandCompleter.positional(List.of("-w", "1", "-c", "5")))));
        assertEquals(CommandCompleter.WEIGHT_MODES, completer.arguments("lnlb:weightmode", 1));
        assertTrue(completer.arguments("lnlb:weight", 1).isEmpty());
        assertTrue(completer.arguments("felix:stop", 0).isEmpty());
        assertTrue(completer.arguments("lnlb:addif", 0).isEmpty());
    }

    @Test
    void historyBesideConfigAdminsStore() {
        assertEquals(Path.of("/var/lib/lnlb/history"), Prompt.historyFile(null, "/var/lib/lnlb/config", "/root"));
        assertEquals(Path.of("/tmp/h"), Prompt.historyFile("/tmp/h", "/var/lib/lnlb/config", "/root"));
        assertEquals(Path.of("/root/.lnlb_history"), Prompt.historyFile(null, null, "/root"));
    }

    @Test
    void aHistoryFileInADirectoryThatCannotBeMadeIsNotWritable(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertTrue(Prompt.writable(dir.resolve("sub/history")));
        java.nio.file.Files.writeString(dir.resolve("file"), "");
        assertTrue(!Prompt.writable(dir.resolve("file/history")));
    }
}
