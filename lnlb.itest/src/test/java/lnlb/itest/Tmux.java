package lnlb.itest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A terminal a test can type into and read: a tmux session on a server of its own ({@code -L}),
 * so the test never touches anyone else's tmux. Keys go with {@code send-keys}, the screen comes
 * back with {@code capture-pane} (with its scrollback).
 */
final class Tmux implements AutoCloseable {
    private final String server;
    private final String session = "console";
    private java.nio.file.Path socket;

    private Tmux(String server) {
        this.server = server;
    }

    /** Whether tmux is installed. */
    static boolean available() {
        try {
            return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Starts {@code command} (a shell line) in a new 200x50 terminal. */
    static Tmux start(String server, String command) throws IOException, InterruptedException {
        Tmux tmux = new Tmux(server);
        tmux.run("new-session", "-d", "-s", tmux.session, "-x", "200", "-y", "50", command);
        tmux.socket = java.nio.file.Path.of(tmux.run("display-message", "-p", "-t", tmux.session, "#{socket_path}").trim());
        return tmux;
    }

    /** Types text as it is (no key names). */
    void type(String text) throws IOException, InterruptedException {
        run("send-keys", "-t", session, "-l", text);
    }

    /** Presses keys by tmux's names: Enter, Left, BSpace, Up, Tab, C-c, C-d, C-u. */
    void press(String... keys) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(keys));
        run(args.toArray(String[]::new));
    }

    /** The screen and its scrollback, trailing blank lines dropped. */
    String screen() throws IOException, InterruptedException {
        return run("capture-pane", "-p", "-t", session, "-S", "-1000").stripTrailing();
    }

    /** The line the cursor is on. */
    String cursorLine() throws IOException, InterruptedException {
        int y = Integer.parseInt(run("display-message", "-p", "-t", session, "#{cursor_y}").trim());
        String[] lines = run("capture-pane", "-p", "-t", session).split("\n", -1);
        return y < lines.length ? lines[y].stripTrailing() : "";
    }

    /** Waits (30 s at most) until the screen satisfies {@code condition}; fails with the screen otherwise. */
    String await(String what, Predicate<String> condition) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String screen = screen();
        while (!condition.test(screen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the console never showed " + what + "; the screen:\n" + screen);
            }
            Thread.sleep(50);
            screen = screen();
        }
        return screen;
    }

    /** Waits until the cursor's line satisfies {@code condition}. */
    String awaitCursorLine(String what, Predicate<String> condition) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String line = cursorLine();
        while (!condition.test(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the prompt's line never showed " + what + " but: [" + line + "]; the screen:\n" + screen());
            }
            Thread.sleep(50);
            line = cursorLine();
        }
        return line;
    }

    /** The process the terminal runs (the shell line's), or -1 once it has ended. */
    long panePid() throws IOException, InterruptedException {
        try {
            return Long.parseLong(run("display-message", "-p", "-t", session, "#{pane_pid}").trim());
        } catch (IllegalStateException | NumberFormatException e) {
            return -1;
        }
    }

    private String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", server));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Ends the terminal and what runs in it (tmux hangs it up; the JVM stops its framework on SIGHUP). */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run("kill-server");
        } catch (IllegalStateException e) {
            // the server ended with its last session
        }
        if (socket != null) {
            java.nio.file.Files.deleteIfExists(socket);
        }
    }
}
