package lnlb.ctl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code lnlbctl}: one command to a running lnlb node, as the original driver's tool.
 *
 * <pre>
 * lnlbctl addif 10.0.0.10 eth0        # lnlb:addif on the node
 * lnlbctl nodes
 * lnlbctl -s /tmp/n1.sock delif nlb0  # another node's socket (or LNLB_SOCKET=...)
 * </pre>
 *
 * <p>The protocol (served by {@code lnlb.shell}'s ControlSocket): the client writes the command's
 * words as UTF-8, each ended by a NUL byte, and closes its side; the node answers with one status
 * byte ({@code '0'} done, {@code '1'} refused or failed), a newline, and the command's text, then
 * closes. Exit status: 0 done, 1 the command failed (its message on stderr), 2 usage, 3 the
 * runtime is not running or cannot be reached.
 */
public final class Lnlbctl {
    public static final String DEFAULT_SOCKET = "/run/lnlb/lnlb.sock";
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NOT_RUNNING = 3;
    private static final String DENIED = "the lnlb service's control socket: run lnlbctl as root or as the service's user";

    private Lnlbctl() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv("LNLB_SOCKET"), System.out, System.err));
    }

    /** Runs one invocation; returns the exit status. */
    static int run(String[] args, String socketFromEnvironment, PrintStream out, PrintStream err) {
        List<String> words = Arrays.asList(args);
        String socket = socketFromEnvironment == null || socketFromEnvironment.isBlank() ? DEFAULT_SOCKET
                : socketFromEnvironment;
        if (!words.isEmpty() && (words.get(0).equals("-s") || words.get(0).equals("--socket"))) {
            if (words.size() < 2) {
                usage(err);
                return USAGE;
            }
            socket = words.get(1);
            words = words.subList(2, words.size());
        }
        if (words.isEmpty()) {
            usage(err);
            return USAGE;
        }
        if (words.get(0).equals("-h") || words.get(0).equals("--help")) {
            usage(out);
            return OK;
        }
        Path path = Path.of(socket);
        if (!Files.exists(path)) {
            // a socket under a directory this user may not search looks absent: say why instead
            for (Path dir = path.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
                if (Files.isDirectory(dir)) {      // the nearest directory this user can see
                    if (!Files.isExecutable(dir)) {
                        err.println("lnlbctl: permission denied on " + dir + " (" + DENIED + ")");
                        return NOT_RUNNING;
                    }
                    break;
                }
            }
            err.println("lnlbctl: the lnlb runtime is not running (no control socket " + path + ")");
            return NOT_RUNNING;
        }
        byte[] answer;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            channel.write(ByteBuffer.wrap(request(words)));
            channel.shutdownOutput();
            answer = readAll(channel);
        } catch (AccessDeniedException e) {
            err.println("lnlbctl: permission denied on " + path + " (" + DENIED + ")");
            return NOT_RUNNING;
        } catch (SocketException e) {
            String why = String.valueOf(e.getMessage());
            if (why.contains("ermission denied")) {
                err.println("lnlbctl: permission denied on " + path + " (" + DENIED + ")");
            } else {
                err.println("lnlbctl: the lnlb runtime is not running (" + path + ": " + why + ")");
            }
            return NOT_RUNNING;
        } catch (IOException e) {
            err.println("lnlbctl: cannot talk to the lnlb runtime on " + path + ": " + e.getMessage());
            return NOT_RUNNING;
        }
        return answer(answer, out, err);
    }

    /** The words, each ended by NUL. */
    static byte[] request(List<String> words) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String w : words) {
            bytes.writeBytes(w.getBytes(StandardCharsets.UTF_8));
            bytes.write(0);
        }
        return bytes.toByteArray();
    }

    /** Prints the node's answer where it belongs and returns the exit status. */
    static int answer(byte[] answer, PrintStream out, PrintStream err) {
        if (answer.length < 2 || answer[1] != '\n' || (answer[0] != '0' && answer[0] != '1')) {
            err.println("lnlbctl: the runtime closed the connection without an answer");
            return FAILED;
        }
        String text = new String(answer, 2, answer.length - 2, StandardCharsets.UTF_8);
        PrintStream to = answer[0] == '0' ? out : err;
        if (!text.isEmpty()) {
            to.print(text.endsWith("\n") ? text : text + "\n");
            to.flush();
        }
        return answer[0] == '0' ? OK : FAILED;
    }

    private static byte[] readAll(SocketChannel channel) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (channel.read(buffer) >= 0) {
            bytes.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return bytes.toByteArray();
    }

    private static void usage(PrintStream to) {
        to.println("""
                usage: lnlbctl [-s SOCKET] COMMAND [ARGUMENTS]
                  administers the lnlb node listening on SOCKET (default %s, or $LNLB_SOCKET)
                commands (help COMMAND explains one):
                  addif [-m] [-l TYPE] [-i MS] [-t N] [-a AFFINITY] [-r RULES] VIP DEV [NAME]
                                                                       create a cluster
                  delif NAME                                           delete a cluster
                  rules NAME [AFFINITY RULES...]    show / set the port rules (tcp:80:connection ...)
                  drain [--leave] [--timeout S] NAME   no new session here; keep serving the others
                  undrain NAME                                         take new sessions again
                  weightmode NAME equal|loadavg|loadavg5|loadavg15|freemem|manual
                  weight NAME N                                        manual weight, 1..1000000
                  resync NAME                                          leave and join again
                  nodes [NAME]      modules      stats [NAME]      conntrack NAME
                  swap BUNDLE [URL]   update a tracker bundle, wait until it serves again
                exit status: 0 done, 1 the command failed, 2 usage, 3 the runtime is not running"""
                .formatted(DEFAULT_SOCKET));
    }
}
