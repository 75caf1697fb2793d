package dev.edgeline.benchmarks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU the named processes used over a window, in cores (CPU time over wall time; user and system time, all
 * threads, from {@link ProcessHandle.Info#totalCpuDuration}). Tells which process a shared machine's cores went to.
 */
final class CpuMeter {
    private final Map<String, ProcessHandle> processes;
    private final Map<String, Long> startCpuNanos = new LinkedHashMap<>();
    private final long startWallNanos;

    private CpuMeter(Map<String, ProcessHandle> processes) {
        this.processes = new LinkedHashMap<>(processes);
        processes.forEach((name, process) -> startCpuNanos.put(name, cpuNanos(process)));
        this.startWallNanos = System.nanoTime();
    }

    /** Starts the window now. */
    static CpuMeter start(Map<String, ProcessHandle> processes) {
        return new CpuMeter(processes);
    }

    /** Cores used by each process since {@link #start}, in the order given. */
    Map<String, Double> coresUsed() {
        double wallNanos = System.nanoTime() - startWallNanos;
        Map<String, Double> cores = new LinkedHashMap<>();
        processes.forEach((name, process) -> cores.put(name,
                (cpuNanos(process) - startCpuNanos.get(name)) / wallNanos));
        return cores;
    }

    /** CPU time a process used so far (user and system, all threads). */
    static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElseThrow(() ->
                new IllegalStateException("no CPU time for process " + process.pid() + " (has it exited?)"));
    }
}
