package lnlb.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwapCommandsTest {
    @TempDir
    Path dir;

    @Test
    void aPlainPathOrAUrlNamesTheNewRevision() throws Exception {
        Path jar = Files.write(dir.resolve("tcp.jar"), new byte[] {1});
        assertEquals(jar.toUri().toURL(), SwapCommands.source(jar.toString()));
        assertEquals(new URL("file:/opt/x.jar"), SwapCommands.source("file:/opt/x.jar"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> SwapCommands.source(dir.resolve("none.jar").toString()));
        assertTrue(missing.getMessage().contains("no file"), missing.getMessage());
    }

    @Test
    void withoutOneTheBundleIsReadFromWhereItCameFrom() throws Exception {
        // bnd's launcher: location jar/NAME.jar, a resource of the runtime jar (here: of a directory)
        Files.createDirectories(dir.resolve("jar"));
        Path embedded = Files.write(dir.resolve("jar/lnlb.module.tcp-1.jar"), new byte[] {1});
        try (URLClassLoader launcher = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertEquals(embedded.toUri().toURL(), SwapCommands.origin("jar/lnlb.module.tcp-1.jar", launcher));
            assertEquals(new URL("file:/opt/x.jar"), SwapCommands.origin("file:/opt/x.jar", launcher));
            assertThrows(IllegalArgumentException.class, () -> SwapCommands.origin("jar/none.jar", launcher));
        }
    }
}
