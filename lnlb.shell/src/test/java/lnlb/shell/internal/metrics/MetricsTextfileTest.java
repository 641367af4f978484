package lnlb.shell.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The textfile is replaced whole, readable by node_exporter's user, and no temporary file stays. */
class MetricsTextfileTest {
    @Test
    void replacedByRename(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lnlb.prom");
        Path temporary = dir.resolve(".lnlb.prom.tmp");
        Files.writeString(file, "old\n");
        Object oldKey = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        MetricsTextfile.write("# HELP a b\n", file, temporary);
        assertEquals("# HELP a b\n", Files.readString(file));
        assertFalse(Files.exists(temporary));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        // a new inode: a reader holding the old file still reads the whole old text
        Object newKey = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertFalse(oldKey.equals(newKey), "the file was rewritten in place, not renamed over");
    }
}
