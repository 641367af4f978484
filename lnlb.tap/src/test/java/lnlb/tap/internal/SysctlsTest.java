package lnlb.tap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import lnlb.tap.internal.linux.LinkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysctlsTest {
    @TempDir
    Path root;

    @Test
    void lastHolderRestoresTheOriginal() throws Exception {
        Path file = sysctl("net/ipv4/conf/eth7/arp_ignore", "0");
        Sysctls first = new Sysctls(root);
        Sysctls second = new Sysctls(root);
        first.hold("net/ipv4/conf/eth7/arp_ignore", "1");
        second.hold("net/ipv4/conf/eth7/arp_ignore", "1");
        assertEquals("1", read(file));
        first.restore();
        assertEquals("1", read(file), "still held by the second link");
        first.restore();
        assertEquals("1", read(file), "restore is idempotent");
        second.restore();
        assertEquals("0", read(file));
    }

    @Test
    void missingKeyIsAOneLineError() {
        LinkException e = assertThrows(LinkException.class,
                () -> new Sysctls(root).hold("net/ipv4/conf/nope/arp_ignore", "1"));
        assertEquals("sysctl net.ipv4.conf.nope.arp_ignore does not exist", e.getMessage());
    }

    @Test
    void optionalKeysMayBeMissing() throws Exception {
        new Sysctls(root).setIfPresent("net/ipv6/conf/nlb0/disable_ipv6", "1");
        Path file = sysctl("net/ipv6/conf/nlb1/disable_ipv6", "0");
        new Sysctls(root).setIfPresent("net/ipv6/conf/nlb1/disable_ipv6", "1");
        assertEquals("1", read(file));
        assertTrue(Files.notExists(root.resolve("net/ipv6/conf/nlb0/disable_ipv6")));
    }

    private Path sysctl(String key, String value) throws Exception {
        Path file = root.resolve(key);
        Files.createDirectories(file.getParent());
        Files.writeString(file, value + "\n");
        return file;
    }

    private static String read(Path file) throws Exception {
        return Files.readString(file).trim();
    }
}
