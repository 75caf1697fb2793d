package dev.edgeline.benchmarks;

import java.io.IOException;
import java.util.List;

/**
 * {@code -Dbench.pin=true}: the device's processes (broker, bridge) on CPU 0 and the cloud's (Kafka, and the
 * harness itself: its latency consumer, and the publisher standing in for the sensors) on CPU 1, through
 * {@code taskset}, as separate machines would be. The children are started under {@code taskset -c N}, so their JVMs
 * size themselves for one CPU (as a JVM confined by a cgroup does); the harness pins its own threads. Off: no
 * prefix, everything shares both cores.
 */
final class CorePinning {
    static final boolean ENABLED = Boolean.getBoolean("bench.pin");
    static final int DEVICE_CPU = 0;
    static final int CLOUD_CPU = 1;

    private CorePinning() {}

    /** The command prefix for a device process ({@code taskset -c 0}), or none. */
    static List<String> device() {
        return ENABLED ? List.of("taskset", "-c", Integer.toString(DEVICE_CPU)) : List.of();
    }

    /** The command prefix for a cloud process ({@code taskset -c 1}), or none. */
    static List<String> cloud() {
        return ENABLED ? List.of("taskset", "-c", Integer.toString(CLOUD_CPU)) : List.of();
    }

    /** Moves every thread of this JVM to the cloud CPU (when enabled). */
    static void pinThisProcessToCloud() throws IOException, InterruptedException {
        if (!ENABLED) {
            return;
        }
        Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", Integer.toString(CLOUD_CPU),
                Long.toString(ProcessHandle.current().pid())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (taskset.waitFor() != 0) {
            throw new IOException("taskset could not pin this process to CPU " + CLOUD_CPU);
        }
    }

    /** For a result table's caption. */
    static String describe() {
        return ENABLED ? "device (broker, bridge) pinned to CPU " + DEVICE_CPU + ", Kafka and the harness to CPU "
                + CLOUD_CPU : "all processes share both CPUs";
    }
}
