package lnlb.ctl;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
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
 * printf 'owner nlb0 10.1.2.3\nowner nlb0 10.1.2.4\n' | lnlbctl --batch
 * </pre>
 *
 * <p>The protocol (served by {@code lnlb.shell}'s ControlSocket): the client writes the command's
 * words as UTF-8, each ended by a NUL byte, and closes its side; the node answers with one status
 * byte ({@code '0'} done, {@code '1'} refused or failed), a newline, and the command's text, then
 * closes; an answer longer than 64 KiB is streamed instead (status {@code '2'}, see {@link #relay}).
 * Exit status: 0 done, 1 the command failed (its message on stderr), 2 usage, 3 the
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
        return run(args, socketFromEnvironment, System.in, out, err);
    }

    /** Runs one invocation ({@code --batch} reads its commands from {@code in}); returns the exit status. */
    static int run(String[] args, String socketFromEnvironment, InputStream in, PrintStream out, PrintStream err) {
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
        if (isFollow(words)) {
            err.println("lnlbctl: log -f follows the log at the node's prompt (lnlb:log -f); here: lnlbctl log -n N,"
                    + " or the log file / journalctl -fu lnlb");
            return USAGE;
        }
        words = withAbsolutePaths(words);
        Path path = Path.of(socket);
        if (words.get(0).equals("-b") || words.get(0).equals("--batch")) {
            if (words.size() > 1) {
                usage(err);
                return USAGE;
            }
            return batch(path, in, out, err);
        }
        return exchange(path, words, out, err);
    }

    /**
     * One command per line of {@code in} (words split on blanks; empty lines and {@code #} comments
     * skipped), each its own request, answers printed in order: a script asks hundreds of questions
     * for one JVM start. The exit status is the worst of all; a node that cannot be reached ends it.
     */
    static int batch(Path path, InputStream in, PrintStream out, PrintStream err) {
        int status = OK;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                List<String> lineWords = Arrays.asList(trimmed.split("\\s+"));
                int s;
                if (isFollow(lineWords)) {
                    err.println("lnlbctl: log -f cannot be batched: " + trimmed);
                    s = USAGE;
                } else {
                    s = exchange(path, withAbsolutePaths(lineWords), out, err);
                }
                if (s == NOT_RUNNING) {
                    return s;
                }
                status = Math.max(status, s);
            }
        } catch (IOException e) {
            err.println("lnlbctl: reading commands: " + e.getMessage());
            return USAGE;
        }
        return status;
    }

    /** Sends one command to the node at {@code path} and prints its answer; returns the exit status. */
    static int exchange(Path path, List<String> words, PrintStream out, PrintStream err) {
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
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            channel.write(ByteBuffer.wrap(request(words)));
            channel.shutdownOutput();
            return relay(Channels.newInputStream(channel), out, err);
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
    }

    /**
     * Prints the node's answer as it arrives and returns the exit status: a classic answer whole, a
     * streamed one ({@code '2'}, newline, text as printed, NUL, status byte, newline, the command's
     * answer) line by line, so a listing of a million sessions is never held here either.
     */
    static int relay(InputStream in, PrintStream out, PrintStream err) throws IOException {
        int first = in.read();
        if (first != '2') {
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            if (first >= 0) {
                whole.write(first);
                in.transferTo(whole);
            }
            return answer(whole.toByteArray(), out, err);
        }
        if (in.read() != '\n') {
            err.println("lnlbctl: the runtime closed the connection without an answer");
            return FAILED;
        }
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            int nul = indexOf(buffer, n, (byte) 0);
            if (nul < 0) {
                out.write(buffer, 0, n);
                if (out.checkError()) {
                    return FAILED; // nobody reads on (lnlbctl ... | head): closing tells the node to stop
                }
                continue;
            }
            out.write(buffer, 0, nul);
            out.flush();
            ByteArrayOutputStream trailer = new ByteArrayOutputStream();
            trailer.write(buffer, nul + 1, n - nul - 1);
            in.transferTo(trailer);
            return answer(trailer.toByteArray(), out, err);
        }
        out.flush();
        err.println("lnlbctl: the runtime closed the connection before the end of its answer");
        return FAILED;
    }

    private static int indexOf(byte[] b, int length, byte value) {
        for (int i = 0; i < length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** {@code log -f}: an answer comes when the command ends, and following never ends. */
    static boolean isFollow(List<String> words) {
        return (words.get(0).equals("log") || words.get(0).equals("lnlb:log"))
                && (words.contains("-f") || words.contains("--follow"));
    }

    /**
     * {@code swap BUNDLE PATH}: a relative path means one from here, where lnlbctl runs, not from
     * the node's working directory; a URL ({@code file:...}) goes as it is.
     */
    static List<String> withAbsolutePaths(List<String> words) {
        if (words.size() == 3 && (words.get(0).equals("swap") || words.get(0).equals("lnlb:swap"))
                && !words.get(2).matches("^[A-Za-z][A-Za-z0-9+.-]+:.*")) {
            return List.of(words.get(0), words.get(1), Path.of(words.get(2)).toAbsolutePath().normalize().toString());
        }
        return words;
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

    private static void usage(PrintStream to) {
        to.println("""
                usage: lnlbctl [-s SOCKET] COMMAND [ARGUMENTS]
                       lnlbctl [-s SOCKET] --batch    one command per line of standard input
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
                  nodes [NAME]      modules      stats [NAME]
                  stats --openmetrics|--prometheus [NAME]   counters, view and nodes as metrics text
                  conntrack NAME [--source IP[/N]] [--port N] [--node MAC|self] [--limit N]
                  conntrack NAME --digest [--buckets]    conntrack NAME --bucket XX
                  owner NAME CLIENT [PORT] [tcp|udp]    which node serves this client, and why
                  swap BUNDLE [JAR]   update a tracker bundle from JAR (a path or URL; default: the jar it
                                      came from), wait until it serves again
                  log [-n N]          the node's recent log (N lines, default 50)
                exit status: 0 done, 1 the command failed, 2 usage, 3 the runtime is not running"""
                .formatted(DEFAULT_SOCKET));
    }
}
