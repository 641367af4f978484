package lnlb.core.internal.weight;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lnlb.core.internal.engine.WeightSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's weight from /proc (load average or memory) or a manual value; mode and manual weight
 * can change at run time (the shell's {@code weightmode} and {@code weight}). Reading /proc once
 * per heartbeat is cheap; a read failure keeps the last value.
 */
public final class ProcWeights implements WeightSource {
    private static final Logger LOG = LoggerFactory.getLogger(ProcWeights.class);

    private final Path proc;
    private volatile WeightMode mode;
    private volatile int manual;
    private volatile int last = 1;

    public ProcWeights(Path proc, WeightMode mode, int manual) {
        this.proc = proc;
        this.mode = mode;
        this.manual = checkManual(manual);
    }

    public ProcWeights(WeightMode mode, int manual) {
        this(Path.of("/proc"), mode, manual);
    }

    public static int checkManual(int weight) {
        if (weight < 1 || weight > 1_000_000) {
            throw new IllegalArgumentException("weight must be 1..1000000: " + weight);
        }
        return weight;
    }

    public WeightMode mode() {
        return mode;
    }

    public void setMode(WeightMode mode) {
        this.mode = mode;
    }

    /** Sets the manual weight; only meaningful in {@link WeightMode#MANUAL}, as in the original. */
    public void setManual(int weight) {
        this.manual = checkManual(weight);
    }

    @Override
    public int weight() {
        try {
            last = Math.max(1, read());
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read the weight in mode {}: {}", mode, e.toString());
        }
        return last;
    }

    private int read() throws IOException {
        switch (mode) {
            case MANUAL:
                return manual;
            case FREEMEM:
                return usedPerMille(Files.readAllLines(proc.resolve("meminfo")));
            default:
                String[] fields = Files.readString(proc.resolve("loadavg")).trim().split("\\s+");
                int column = mode == WeightMode.LOADAVG ? 0 : mode == WeightMode.LOADAVG5 ? 1 : 2;
                return 1 + (int) Math.round(Double.parseDouble(fields[column]) * 100);
        }
    }

    static int usedPerMille(List<String> meminfo) {
        long total = 0;
        long available = -1;
        for (String line : meminfo) {
            if (line.startsWith("MemTotal:")) {
                total = kilobytes(line);
            } else if (line.startsWith("MemAvailable:")) {
                available = kilobytes(line);
            }
        }
        if (total <= 0 || available < 0) {
            throw new IllegalStateException("no MemTotal/MemAvailable in meminfo");
        }
        return (int) (1000 * (total - available) / total);
    }

    private static long kilobytes(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
