package lnlb.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import org.junit.jupiter.api.Test;

class NodeActivatorTest {
    @Test
    void aPromptOnlyWithATerminalUnlessTold() {
        assertTrue(NodeActivator.console(null, true));
        assertFalse(NodeActivator.console(null, false));
        assertFalse(NodeActivator.console(" auto ", false));
        assertTrue(NodeActivator.console("true", false));
        assertFalse(NodeActivator.console("false", true));
    }

    @Test
    void etcIsBesideTheJarUnlessTold() {
        assertEquals(new File("/etc/lnlb"), NodeActivator.etcDirectory("/etc/lnlb", "/opt/lnlb/lnlb.jar"));
        assertEquals(new File("/opt/lnlb/etc"), NodeActivator.etcDirectory(null, "/opt/lnlb/lnlb.jar"));
        assertEquals(new File("lnlb.runtime/target/etc").getAbsoluteFile(),
                NodeActivator.etcDirectory("", "lnlb.runtime/target/lnlb.jar"));
        // Not started with java -jar (a test framework, an IDE): no directory.
        assertNull(NodeActivator.etcDirectory(null, "a.jar" + File.pathSeparator + "b.jar"));
        assertNull(NodeActivator.etcDirectory(null, "target/classes"));
    }

    @Test
    void logsGoToAFileAtAPromptOrWhenAskedElseToStderr() {
        assertTrue(NodeActivator.toFile(null, false, true));           // a prompt: /var/log/lnlb
        assertFalse(NodeActivator.toFile(null, true, false));          // systemd: the journal
        assertFalse(NodeActivator.toFile("", false, false));           // a script captures stderr
        assertTrue(NodeActivator.toFile("/tmp/x", true, false));       // asked for
    }

    @Test
    void theJournalIsStderrOnlyWhenJournalStreamNamesIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path stderr = java.nio.file.Files.writeString(dir.resolve("stderr"), "");
        String itself = java.nio.file.Files.getAttribute(stderr, "unix:dev") + ":" + java.nio.file.Files.getAttribute(stderr, "unix:ino");
        assertTrue(NodeActivator.stderrIsJournal(itself, stderr));
        assertFalse(NodeActivator.stderrIsJournal("1:2", stderr));             // inherited from a parent service
        assertFalse(NodeActivator.stderrIsJournal(null, stderr));
        assertFalse(NodeActivator.stderrIsJournal("junk", stderr));
        assertFalse(NodeActivator.stderrIsJournal(itself, dir.resolve("none")));
    }
}
