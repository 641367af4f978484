package lnlb.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime jar as an operator runs it: {@code java -jar lnlb.jar} without a console (service
 * mode), clusters declared in {@code etc/} files, administered with the {@code lnlbctl} script,
 * stopped with SIGTERM and started again: the clusters {@code addif} made come back with the
 * weights {@code lnlbctl} set (ConfigAdmin's store), a wrong file is one log line.
 */
class RuntimeJarIT {
    private static final long WAIT_MILLIS = 30_000;

    private Path dir;
    private Path socket;
    private Process node;
    private Path log;
    private int runs;

    @BeforeEach
    void setUp() throws IOException {
        // Short: a UNIX socket path ends at 108 bytes.
        dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "lnlb-jar");
        socket = dir.resolve("run/lnlb.sock");
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/lnlb.cluster-decl.cfg"), """
                # a cluster declared in a file (the in-memory link: no network needed)
                vip = 10.0.0.40
                device = dev0
                heartbeat.interval.ms = 100
                tolerance = 3
                link.target = (lnlb.link.type=memory)
                """);
        Files.writeString(dir.resolve("etc/lnlb.cluster-bad.cfg"), """
                vip = 10.0.0.300
                device = dev0
                link.target = (lnlb.link.type=memory)
                """);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (node != null && node.isAlive()) {
            node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aNodeRunsAsAServiceAndKeepsItsClustersAcrossARestart() throws Exception {
        start();
        awaitCtl("decl member", r -> r.out().contains("decl: 10.0.0.40 on dev0, member"), "nodes");
        String nodes = ctl("nodes").out();
        assertTrue(nodes.contains("declared in file:" + dir.resolve("etc/lnlb.cluster-decl.cfg")), nodes);
        // nodes says why it is down: the reason of its last start attempt.
        assertTrue(nodes.contains("bad: 10.0.0.300 on dev0, down (vip must be an IP address: 10.0.0.300), declared in file:"),
                nodes);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

        // The wrong file: one clear line in the log, naming the file and what is wrong.
        List<String> bad = lines(l -> l.contains("lnlb.cluster-bad.cfg") && l.contains("ERROR"));
        assertEquals(1, bad.size(), String.join("\n", bad));
        assertTrue(bad.get(0).contains("not started: vip must be an IP address: 10.0.0.300"), bad.get(0));
        // Fixing the file starts the cluster: no restart of the node.
        Files.writeString(dir.resolve("etc/lnlb.cluster-bad.cfg"), """
                vip = 10.0.0.41
                device = dev0
                heartbeat.interval.ms = 100
                link.target = (lnlb.link.type=memory)
                """);
        awaitCtl("the fixed cluster member", r -> r.out().contains("bad: 10.0.0.41 on dev0, member"), "nodes");

        assertEquals(new Result(0, "web: 10.0.0.20 on dev0 (memory link)\n", ""),
                ctl("addif", "--memory", "-i", "100", "-t", "3", "10.0.0.20", "dev0", "web"));
        assertEquals(new Result(0, "web: weight mode manual\n", ""), ctl("weightmode", "web", "manual"));
        assertEquals(new Result(0, "web: weight 7\n", ""), ctl("weight", "web", "7"));
        assertEquals(new Result(1, "", "weight: weight must be 1..1000000: 0\n"), ctl("weight", "web", "0"));
        Result declared = ctl("delif", "decl");
        assertEquals(1, declared.status());
        assertTrue(declared.err().startsWith("delif: decl is declared in file:"), declared.err());
        awaitCtl("web member with weight 7", r -> r.out().matches("(?s).*web: .*member.*\\s7\\s+\\S+%\\s+member.*"), "nodes", "web");

        stop();
        assertFalse(Files.exists(socket), "the socket is removed at stop");
        assertFalse(Files.exists(socket.getParent()), "and the directory the runtime made for it");
        assertTrue(lines(l -> l.contains("web: stopped")).size() == 1, "web left the cluster at SIGTERM");
        Result down = ctl("nodes");
        assertEquals(3, down.status());
        assertTrue(down.err().startsWith("lnlbctl: the lnlb runtime is not running"), down.err());

        start();
        awaitCtl("web back, manual weight 7", r -> r.out().matches("(?s).*web: 10.0.0.20 on dev0, member.*weight 7 \\(manual\\).*"),
                "nodes");
        awaitCtl("decl back", r -> r.out().contains("decl: 10.0.0.40 on dev0, member"), "nodes");
        assertEquals(new Result(0, "web: deleted\n", ""), ctl("delif", "web"));
        stop();
    }

    /**
     * {@code lnlbctl addif} of a device this host does not have: refused at once, with the link's
     * reason, and nothing left (no configuration, no cluster down). The linux link registers only
     * with CAP_NET_ADMIN and CAP_NET_RAW: the test needs root, which CI has.
     */
    @Test
    void addifOfAMissingDeviceIsRefusedAndLeavesNothing() throws Exception {
        requireRoot("the linux link (lnlb.tap) registers only with CAP_NET_ADMIN and CAP_NET_RAW");
        String device = missingDevice();
        start();
        awaitCtl("decl member", r -> r.out().contains("decl: 10.0.0.40 on dev0, member"), "nodes");

        Result refused = ctl("addif", "10.0.0.20", device, "web");
        assertEquals(1, refused.status(), refused.toString());
        assertEquals("", refused.out());
        // The link's reason, then its detail: (ioctl(SIOCGIFINDEX nolnlb9): ENODEV (No such device)).
        assertTrue(refused.err().startsWith("addif: device " + device + " does not exist"), refused.err());
        assertEquals(1, refused.err().lines().count(), refused.err());
        assertFalse(ctl("nodes").out().contains("web"), "no cluster web, not even down");
        try (var files = Files.walk(dir.resolve("cm"))) {
            List<Path> left = files.filter(p -> p.getFileName().toString().contains("web")).toList();
            assertEquals(List.of(), left, "nothing of web in ConfigAdmin's store");
        }
        // The same name works at once with a link that can start.
        assertEquals(new Result(0, "web: 10.0.0.20 on dev0 (memory link)\n", ""),
                ctl("addif", "--memory", "-i", "100", "10.0.0.20", "dev0", "web"));
        assertEquals(new Result(0, "web: deleted\n", ""), ctl("delif", "web"));
        stop();
    }

    /** Skips without root; under CI=true (CI runs as root) a missing root is a failure, not a skip. */
    private static void requireRoot(String why) throws IOException {
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (Integer.valueOf(0).equals(uid)) {
            return;
        }
        String message = "needs root: " + why;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            org.junit.jupiter.api.Assertions.fail(message + ", and CI=true: this test must not be skipped in CI");
        }
        org.junit.jupiter.api.Assumptions.abort(message + ": skipped");
    }

    /** An interface name this host does not have. */
    private static String missingDevice() throws IOException {
        for (int i = 9; ; i++) {
            String name = "nolnlb" + i;
            if (java.net.NetworkInterface.getByName(name) == null) {
                return name;
            }
        }
    }

    private void start() throws IOException {
        runs++;
        log = dir.resolve("node-" + runs + ".log");
        Path runtime = Path.of(System.getProperty("lnlb.runtime.dir"));
        node = new ProcessBuilder(javaBin(), "-Dfelix.cm.dir=" + dir.resolve("cm"), "-Dlnlb.etc=" + dir.resolve("etc"),
                "-Dlnlb.socket=" + socket, "-jar", runtime.resolve("lnlb.jar").toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /**
     * {@code lnlbctl swap} with a plain path (relative to where lnlbctl runs), and without one: bnd's
     * launcher installed the bundle from {@code jar/NAME.jar} inside lnlb.jar (no URL Felix could
     * update from), and the swap reads it from there. {@code lnlbctl log} shows the recent log.
     */
    @Test
    void swapTakesAPathOrTheJarTheBundleCameFrom() throws Exception {
        start();
        awaitCtl("decl member", r -> r.out().contains("decl: 10.0.0.40 on dev0, member"), "nodes");

        Result fromRuntimeJar = ctl("swap", "lnlb.module.tcp");
        assertEquals(0, fromRuntimeJar.status(), fromRuntimeJar.toString());
        assertTrue(fromRuntimeJar.out().matches("lnlb\\.module\\.tcp \\S+ -> \\S+ \\(bundle \\d+\\): protocol\\(s\\) \\[6\\] served by it again after \\d+ ms\n"),
                fromRuntimeJar.toString());

        Path jar = Files.createDirectories(dir.resolve("new")).resolve("tcp.jar");
        try (var runtimeJar = new java.util.zip.ZipFile(Path.of(System.getProperty("lnlb.runtime.dir"), "lnlb.jar").toFile())) {
            var entry = runtimeJar.stream().filter(e -> e.getName().matches("jar/lnlb\\.module\\.tcp-.*\\.jar")).findFirst().orElseThrow();
            try (var in = runtimeJar.getInputStream(entry)) {
                Files.copy(in, jar);
            }
        }
        Result fromPath = ctlIn(dir, "swap", "lnlb.module.tcp", "new/tcp.jar");
        assertEquals(0, fromPath.status(), fromPath.toString());
        assertTrue(fromPath.out().contains("protocol(s) [6] served by it again"), fromPath.toString());
        Result missing = ctlIn(dir, "swap", "lnlb.module.tcp", "new/none.jar");
        assertEquals(new Result(1, "", "swap: cannot read " + dir.resolve("new/none.jar") + ": no file " + dir.resolve("new/none.jar") + "\n"),
                missing);

        Result log = ctl("log", "-n", "20");
        assertEquals(0, log.status(), log.toString());
        assertEquals(20, log.out().lines().count(), log.out());
        assertTrue(log.out().contains("protocol 6 served by lnlb.module.tcp"), log.out());
        stop();
    }

    /** SIGTERM, as systemd stops it. */
    private void stop() throws Exception {
        node.destroy();
        assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node stops at SIGTERM");
    }

    record Result(int status, String out, String err) {
    }

    private Result ctl(String... args) throws Exception {
        return ctlIn(null, args);
    }

    /** lnlbctl run from directory {@code cwd} (null: this JVM's). */
    private Result ctlIn(Path cwd, String... args) throws Exception {
        Path runtime = Path.of(System.getProperty("lnlb.runtime.dir"));
        List<String> command = new ArrayList<>(List.of(runtime.resolve("lnlbctl").toString(), "-s", socket.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.environment().put("JAVA", javaBin());
        Path out = dir.resolve("ctl.out");
        Path err = dir.resolve("ctl.err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "lnlbctl " + String.join(" ", args) + " answers");
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private void awaitCtl(String what, Predicate<Result> condition, String... args) throws Exception {
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        Result last = null;
        while (System.nanoTime() < deadline) {
            last = ctl(args);
            if (condition.test(last)) {
                return;
            }
            assertTrue(node.isAlive(), "the node died:\n" + Files.readString(log));
            Thread.sleep(300);
        }
        throw new AssertionError("timed out waiting for " + what + "; last answer " + last + "\nlog:\n" + Files.readString(log));
    }

    private List<String> lines(Predicate<String> wanted) throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(wanted).toList();
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
