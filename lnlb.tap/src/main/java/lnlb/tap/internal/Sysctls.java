package lnlb.tap.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import lnlb.tap.internal.linux.LinkException;

/**
 * The kernel settings one link changed, restored when the link goes. Several clusters may bind
 * the same device, so changes are counted per file in this JVM: the first link saves the value it
 * found, the last one to leave puts it back. Keys are paths under /proc/sys
 * ({@code net/ipv4/conf/eth0/arp_ignore}), which the kernel resolves in the calling thread's
 * network namespace.
 */
final class Sysctls {
    private static final Map<Path, Held> HELD = new HashMap<>();

    private static final class Held {
        final String original;
        int references;

        Held(String original) {
            this.original = original;
        }
    }

    private final Path root;
    private final Deque<Path> mine = new ArrayDeque<>();

    Sysctls(Path root) {
        this.root = root;
    }

    static Sysctls proc() {
        return new Sysctls(Path.of("/proc/sys"));
    }

    /** Sets {@code key} to {@code value} for as long as this set is not {@link #restore restored}. */
    void hold(String key, String value) throws LinkException {
        Path file = root.resolve(key);
        synchronized (HELD) {
            Held held = HELD.get(file);
            if (held == null) {
                held = new Held(read(file, key));
                write(file, key, value);
                HELD.put(file, held);
            }
            held.references++;
            mine.push(file);
        }
    }

    /** Writes a setting that dies with its interface (the TAP's own): nothing to restore. */
    void set(String key, String value) throws LinkException {
        write(root.resolve(key), key, value);
    }

    /** Like {@link #set}, but a missing key (IPv6 disabled in this kernel) is not an error. */
    void setIfPresent(String key, String value) throws LinkException {
        Path file = root.resolve(key);
        if (Files.exists(file)) {
            write(file, key, value);
        }
    }

    /** Gives back every setting this set holds, the last taken first. Idempotent; best effort. */
    void restore() {
        synchronized (HELD) {
            while (!mine.isEmpty()) {
                Path file = mine.pop();
                Held held = HELD.get(file);
                if (held != null && --held.references == 0) {
                    HELD.remove(file);
                    try {
                        write(file, file.toString(), held.original);
                    } catch (LinkException e) {
                        // the device may be gone with its settings: nothing left to restore
                    }
                }
            }
        }
    }

    private static String read(Path file, String key) throws LinkException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            throw new LinkException("sysctl " + key.replace('/', '.') + " does not exist");
        } catch (IOException e) {
            throw new LinkException("cannot read sysctl " + key.replace('/', '.') + ": " + e.getMessage());
        }
    }

    private static void write(Path file, String key, String value) throws LinkException {
        try {
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new LinkException("sysctl " + key.replace('/', '.') + " does not exist");
        } catch (IOException e) {
            throw new LinkException("cannot set sysctl " + key.replace('/', '.') + "=" + value + ": " + e.getMessage());
        }
    }
}
