package lnlb.ctl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a fake node: request framing, answers, exit statuses, a node that is not there. */
class LnlbctlTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String socket, String... args) {
        return Lnlbctl.run(args, socket, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void wordsAreSentNulTerminated() {
        assertArrayEquals("addif\u000010.0.0.10\u0000eth0\u0000a b\u0000".getBytes(StandardCharsets.UTF_8),
                Lnlbctl.request(List.of("addif", "10.0.0.10", "eth0", "a b")));
    }

    @Test
    void aDoneCommandPrintsOnStdoutAndExitsZero() throws Exception {
        Path socket = dir.resolve("n.sock");
        CompletableFuture<String> seen = serveOnce(socket, "0\nnlb0: 10.0.0.10 on eth0 (linux link)");
        assertEquals(0, run(socket.toString(), "addif", "10.0.0.10", "eth0"));
        assertEquals("addif\u000010.0.0.10\u0000eth0\u0000", seen.get());
        assertEquals("nlb0: 10.0.0.10 on eth0 (linux link)\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRefusedCommandPrintsOnStderrAndExitsOne() throws Exception {
        Path socket = dir.resolve("n.sock");
        serveOnce(socket, "1\nweight: weight must be 1..1000000: 0\n");
        assertEquals(1, run(null, "-s", socket.toString(), "weight", "nlb0", "0"));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertEquals("weight: weight must be 1..1000000: 0\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noSocketMeansTheRuntimeIsNotRunning() {
        assertEquals(3, run(dir.resolve("none.sock").toString(), "nodes"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("lnlbctl: the lnlb runtime is not running (no control socket "),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aStaleSocketMeansTheRuntimeIsNotRunning() throws Exception {
        Path socket = dir.resolve("stale.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        assertEquals(3, run(socket.toString(), "nodes"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("lnlbctl: the lnlb runtime is not running ("),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noCommandIsAUsageError() {
        assertEquals(2, run(null));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage: lnlbctl"));
        assertEquals(0, run(null, "--help"));
        assertEquals(2, run(null, "-s"));
    }

    @Test
    void aBatchSendsEachLineAsItsOwnRequestAndExitsWithTheWorstStatus() throws Exception {
        Path socket = dir.resolve("n.sock");
        CompletableFuture<List<String>> seen = serve(socket, "0\nfirst", "1\nowner: no such cluster", "0\nthird");
        String commands = "owner nlb0 10.1.2.3\n\n# a comment\n  owner   nlb9 10.1.2.4 \nnodes\n";
        int status = Lnlbctl.run(new String[] {"-s", socket.toString(), "--batch"}, null,
                new java.io.ByteArrayInputStream(commands.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        assertEquals(List.of("owner\u0000nlb0\u000010.1.2.3\u0000", "owner\u0000nlb9\u000010.1.2.4\u0000", "nodes\u0000"),
                seen.get());
        assertEquals("first\nthird\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("owner: no such cluster\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aStreamedAnswerIsPrintedAsItComesThenItsStatus() throws Exception {
        Path socket = dir.resolve("n.sock");
        serveOnce(socket, "2\nPROTO SOURCE\n0 10.0.0.1\n0 10.0.0.2\n\u00000\nnlb0: 2 session(s) matched");
        assertEquals(0, run(socket.toString(), "conntrack", "nlb0"));
        assertEquals("PROTO SOURCE\n0 10.0.0.1\n0 10.0.0.2\nnlb0: 2 session(s) matched\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aStreamedAnswerThatFailsPrintsItsMessageOnStderr() throws Exception {
        Path socket = dir.resolve("n.sock");
        serveOnce(socket, "2\n0 10.0.0.1\n\u00001\nconntrack: nlb0 was deleted");
        assertEquals(1, run(socket.toString(), "conntrack", "nlb0"));
        assertEquals("0 10.0.0.1\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("conntrack: nlb0 was deleted\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aStreamCutShortFails() throws Exception {
        Path socket = dir.resolve("n.sock");
        serveOnce(socket, "2\n0 10.0.0.1\n");
        assertEquals(1, run(socket.toString(), "conntrack", "nlb0"));
        assertEquals("0 10.0.0.1\n", out.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("before the end of its answer"));
    }

    /** A node that answers one connection per answer, in order, and hands over what each sent. */
    private static CompletableFuture<List<String>> serve(Path socket, String... answers) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return CompletableFuture.supplyAsync(() -> {
            List<String> requests = new java.util.ArrayList<>();
            try (server) {
                for (String answer : answers) {
                    try (SocketChannel c = server.accept()) {
                        ByteArrayOutputStream got = new ByteArrayOutputStream();
                        ByteBuffer buffer = ByteBuffer.allocate(1024);
                        while (c.read(buffer) >= 0) {
                            got.write(buffer.array(), 0, buffer.position());
                            buffer.clear();
                        }
                        c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                        requests.add(got.toString(StandardCharsets.UTF_8));
                    }
                }
                return requests;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** A node that answers one connection with {@code answer} and hands over what it was sent. */
    private static CompletableFuture<String> serveOnce(Path socket, String answer) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return CompletableFuture.supplyAsync(() -> {
            try (server; SocketChannel c = server.accept()) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                ByteBuffer buffer = ByteBuffer.allocate(1024);
                while (c.read(buffer) >= 0) {
                    got.write(buffer.array(), 0, buffer.position());
                    buffer.clear();
                }
                c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                return got.toString(StandardCharsets.UTF_8);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void swapTakesAPathFromWhereLnlbctlRuns() {
        String here = Path.of("").toAbsolutePath().toString();
        assertEquals(List.of("swap", "lnlb.module.tcp", here + "/x/tcp.jar"),
                Lnlbctl.withAbsolutePaths(List.of("swap", "lnlb.module.tcp", "x/../x/tcp.jar")));
        assertEquals(List.of("swap", "lnlb.module.tcp", "/opt/tcp.jar"),
                Lnlbctl.withAbsolutePaths(List.of("swap", "lnlb.module.tcp", "/opt/tcp.jar")));
        assertEquals(List.of("swap", "lnlb.module.tcp", "file:/opt/tcp.jar"),
                Lnlbctl.withAbsolutePaths(List.of("swap", "lnlb.module.tcp", "file:/opt/tcp.jar")));
        assertEquals(List.of("nodes", "x/y"), Lnlbctl.withAbsolutePaths(List.of("nodes", "x/y")));
    }

    @Test
    void logFollowIsForThePrompt() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Lnlbctl.run(new String[] {"log", "-f"}, "/nonexistent/lnlb.sock", new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("lnlb:log -f"));
    }
}
