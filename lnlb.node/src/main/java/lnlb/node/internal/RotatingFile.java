package lnlb.node.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A log file that rotates itself: when {@code lnlb.log} would grow past its size limit it becomes
 * {@code lnlb.log.1} ({@code .1} becomes {@code .2} ... up to {@code keep}, the oldest goes) and a
 * new one starts. Appends survive restarts; no logrotate or copytruncate race is involved.
 */
final class RotatingFile implements AutoCloseable {
    private final Path file;
    private final long limit;
    private final int keep;
    private OutputStream out;
    private long size;

    RotatingFile(Path file, long limit, int keep) throws IOException {
        this.file = file;
        this.limit = limit;
        this.keep = Math.max(1, keep);
        Files.createDirectories(file.toAbsolutePath().getParent());
        open();
    }

    Path path() {
        return file;
    }

    private void open() throws IOException {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        size = Files.size(file);
    }

    /** Appends one line (a newline is added); rotates first when the line would pass the limit. */
    synchronized void write(String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (size > 0 && size + bytes.length > limit) {
            rotate();
        }
        out.write(bytes);
        out.flush();
        size += bytes.length;
    }

    private void rotate() throws IOException {
        out.close();
        Files.deleteIfExists(numbered(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    Path numbered(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
