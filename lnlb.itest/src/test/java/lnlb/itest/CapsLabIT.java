package lnlb.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Least privilege, for real: runs {@code lab/caps.sh}, which starts the runtime jar of this build
 * ({@code lnlb.runtime/target}) in lab namespaces as {@code lnlb.service} would, with only
 * CAP_NET_ADMIN and CAP_NET_RAW (bounding and ambient sets, no_new_privs; as root and as an
 * unprivileged user), next to a plain root node: the capability sets, the join, HTTP through the
 * VIP, no TCP/UDP socket, the control socket refused to other users, and a clear failure without
 * CAP_NET_RAW. One test per PASS/FAIL line, plus the script's exit status. Needs root; under
 * {@code CI=true} a missing root fails instead of skipping.
 */
class CapsLabIT {
    private static final long TIMEOUT_MINUTES = 15;

    @TestFactory
    Stream<DynamicTest> leastPrivilege() throws Exception {
        requireRoot();
        Path lab = Path.of(System.getProperty("lnlb.lab.dir", "../lab")).toAbsolutePath().normalize();
        Path log = Path.of("target", "lab-caps.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder("bash", lab.resolve("caps.sh").toString()).redirectError(log.toFile());
        builder.environment().put("LNLB_RUNTIME_DIR", System.getProperty("lnlb.runtime.dir"));
        builder.environment().put("LNLB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        try (var reader = process.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println("[caps] " + line);
                lines.add(line);
            }
        }
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroy();               // bash's EXIT trap tears the lab down
            process.waitFor(60, TimeUnit.SECONDS);
            fail("lab/caps.sh did not finish in " + TIMEOUT_MINUTES + " min; see " + log);
        }
        int exit = process.exitValue();
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : lines) {
            DynamicTest test = testOf(line);
            if (test != null) {
                tests.add(test);
            }
        }
        String tail = tail(log);
        tests.add(DynamicTest.dynamicTest("caps.sh exit status",
                () -> assertEquals(0, exit, "lab/caps.sh exited " + exit + "; stderr tail:\n" + tail)));
        return tests.stream();
    }

    /** "PASS|FAIL|SKIP name: detail" as a test; null for any other line. */
    private static DynamicTest testOf(String line) {
        int space = line.indexOf(' ');
        int colon = line.indexOf(": ");
        if (space < 0 || colon < space) {
            return null;
        }
        String name = line.substring(space + 1, colon);
        String detail = line.substring(colon + 2);
        return switch (line.substring(0, space)) {
            case "PASS" -> DynamicTest.dynamicTest(name, () -> { });
            case "FAIL" -> DynamicTest.dynamicTest(name, () -> fail(detail));
            case "SKIP" -> DynamicTest.dynamicTest(name, () -> Assumptions.abort(detail));
            default -> null;
        };
    }

    private static void requireRoot() throws IOException {
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (Integer.valueOf(0).equals(uid)) {
            return;
        }
        String message = "lab/caps.sh needs root (network namespaces, setpriv); running as uid " + uid;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + ", and CI=true: lab tests must not be skipped in CI");
        }
        Assumptions.abort(message + ": skipped");
    }

    private static String tail(Path log) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
