package lnlb.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogCommandTest {
    @Test
    void showsTheLastLines() throws Exception {
        RecentLog recent = new RecentLog(3);
        for (int i = 1; i <= 5; i++) {
            recent.add("line " + i);
        }
        LogCommand command = new LogCommand(recent, "/var/log/lnlb/lnlb.log");
        assertEquals("line 3\nline 4\nline 5", command.log().toString());
        assertEquals("line 5", command.log("-n", "1").toString());
        assertTrue(new LogCommand(new RecentLog(3), "stderr").log().toString().startsWith("(nothing logged yet"));
    }

    @Test
    void refusesWrongOptions() {
        LogCommand command = new LogCommand(new RecentLog(3), "stderr");
        assertThrows(IllegalArgumentException.class, () -> command.log("-n"));
        assertThrows(IllegalArgumentException.class, () -> command.log("-n", "-2"));
        assertThrows(IllegalArgumentException.class, () -> command.log("-x"));
        assertEquals(new LogCommand.Options(true, 10), LogCommand.Options.parse("-f"));
        assertEquals(new LogCommand.Options(true, 0), LogCommand.Options.parse("-f", "-n", "0"));
    }

    @Test
    void followPrintsNewLinesUntilInterrupted() throws Exception {
        RecentLog recent = new RecentLog(10);
        recent.add("old");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream before = System.out;
        Thread follower = new Thread(() -> {
            try {
                new LogCommand(recent, "stderr").log("-f", "-n", "1");
            } catch (InterruptedException e) {
                // Ctrl-C
            }
        });
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            follower.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!printed.toString(StandardCharsets.UTF_8).contains("old") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            recent.add("new");
            while (!printed.toString(StandardCharsets.UTF_8).contains("new") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            follower.interrupt();
            follower.join(10_000);
        } finally {
            System.setOut(before);
        }
        assertEquals("old\nnew\n", printed.toString(StandardCharsets.UTF_8));
        assertTrue(!follower.isAlive());
    }
}
