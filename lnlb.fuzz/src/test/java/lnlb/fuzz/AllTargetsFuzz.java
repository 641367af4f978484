package lnlb.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The short run of every target in one fuzzing session, as {@code mvn verify} runs it.
 *
 * <p>Jazzer fuzzes one {@code @FuzzTest} per JVM, and starting a JVM with its agent costs 15-20 s
 * on this project's two cores; one session keeps the module's test time under a minute. The first
 * input byte picks the target ({@link #TARGETS}), the rest is that target's own input. The seeds are
 * the targets' committed corpora ({@code <Target>Inputs/<method>/}), prefixed with their selector;
 * Jazzer runs them all first (a regression pass), then mutates from them, favouring the inputs that
 * reach new code in whichever target.
 *
 * <p>Each target class also fuzzes alone ({@code -Dtest=EngineFuzzTest}): see the README.
 */
class AllTargetsFuzz {
    /** A target: its harness and where its seeds live. */
    record Target(String name, String inputs, Consumer<byte[]> harness) {
    }

    static final List<Target> TARGETS = List.of(
            new Target("frames", "ClusterFrameFuzzTestInputs/frames", ClusterFrameFuzzTest::run),
            new Target("loadState-default", "TrackerStateFuzzTestInputs/loadState",
                    data -> ModuleStateHarness.run(TrackerStateFuzzTest.SPEC, data)),
            new Target("datagram", "DatagramFuzzTestInputs/wrap", DatagramFuzzTest::run),
            new Target("engine", "EngineFuzzTestInputs/onFrame", data -> EngineFuzzTest.run(data)),
            new Target("loadState-tcp", "TcpStateFuzzTestInputs/loadState",
                    data -> ModuleStateHarness.run(TcpStateFuzzTest.SPEC, data)),
            new Target("loadState-udp", "UdpStateFuzzTestInputs/loadState",
                    data -> ModuleStateHarness.run(UdpStateFuzzTest.SPEC, data)));

    /** Executions per target in this JVM, printed when the session ends. */
    private static final long[] EXECUTIONS = new long[TARGETS.size()];

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "25s")
    void allTargets(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int target = (data[0] & 0xFF) % TARGETS.size();
        EXECUTIONS[target]++;
        TARGETS.get(target).harness().accept(Arrays.copyOfRange(data, 1, data.length));
    }

    @AfterAll
    static void report() {
        StringBuilder line = new StringBuilder("AllTargetsFuzz executions:");
        for (int i = 0; i < TARGETS.size(); i++) {
            line.append(' ').append(TARGETS.get(i).name()).append('=').append(EXECUTIONS[i]);
        }
        System.out.println(line);
    }

    /** Every target's committed inputs, with the target's selector byte in front. */
    static Stream<Arguments> seeds() {
        List<Arguments> seeds = new ArrayList<>();
        for (int i = 0; i < TARGETS.size(); i++) {
            Target target = TARGETS.get(i);
            for (Path file : inputs(target.inputs())) {
                byte[] input = read(file);
                byte[] data = new byte[input.length + 1];
                data[0] = (byte) i;
                System.arraycopy(input, 0, data, 1, input.length);
                seeds.add(Arguments.of(Named.of(target.name() + "/" + file.getFileName(), data)));
            }
        }
        return seeds.stream();
    }

    /** The files of a resource directory next to this class (sorted), none if it does not exist. */
    static List<Path> inputs(String directory) {
        URL url = AllTargetsFuzz.class.getResource(directory);
        if (url == null) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(Paths.get(url.toURI()))) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
