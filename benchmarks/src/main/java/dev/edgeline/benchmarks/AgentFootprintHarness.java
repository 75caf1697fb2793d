package dev.edgeline.benchmarks;

import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolReader;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.render.DeviceRenderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Agent footprint: {@code bin/edge agent} in its own JVM with the production memory flags
 * ({@code agent-jvm-flags.txt}), 10 simulated sensors at 10 Hz each, publishing to our broker (another JVM) for
 * 5 minutes by default. Samples the agent's RSS ({@code VmRSS}) every second and its CPU time ({@link CpuMeter});
 * prints peak and steady-state RSS, CPU as a share of one core, and how many readings the
 * broker spooled. Target: RSS under 64 MB. No pass/fail.
 *
 * <p>Arguments: {@code [seconds] [sensors] [hz]}; {@code -Dagent.flags="..."} replaces the flags to compare others.
 */
public final class AgentFootprintHarness {
    private AgentFootprintHarness() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int sensors = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int hz = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        List<String> agentFlags = agentJvmFlags();
        try (WorkDirectory workDirectory = new WorkDirectory("agent-footprint-")) {
            Path work = workDirectory.path();
            int port = LocalProcesses.freePort();
            Path configFile = SimulatedDeviceConfig.write(work, "footprint-pi", port, sensors, hz);
            Process broker = LocalProcesses.startBroker(work.resolve("broker.log"), "--config", configFile.toString(),
                    "--data-dir", work.toString());
            Process agent = null;
            try {
                LocalProcesses.awaitPort(port, broker);
                agent = startAgent(work.resolve("agent.log"), agentFlags, configFile, work);
                long pid = agent.pid();
                Thread.sleep(5_000); // start-up, excluded from the CPU figure
                CpuMeter cpu = CpuMeter.start(Map.of("agent", agent.toHandle()));
                List<Long> rss = new ArrayList<>();
                for (int s = 0; s < seconds && agent.isAlive(); s++) {
                    Thread.sleep(1_000);
                    rss.add(ResidentMemory.rssKb(pid));
                }
                double agentCores = cpu.coresUsed().get("agent");
                agent.destroy();
                agent.waitFor();
                broker.destroy();
                broker.waitFor();
                long spooled = countSpooled(configFile, work);
                long[] sorted = rss.stream().mapToLong(Long::longValue).sorted().toArray();
                long[] steady = Arrays.copyOfRange(sorted, 0, sorted.length); // all samples after start-up
                System.out.printf(Locale.ROOT, "%nAgent footprint: %d simulated sensors at %d Hz for %d s, JVM flags %s%n",
                        sensors, hz, seconds, String.join(" ", agentFlags));
                System.out.printf(Locale.ROOT, "| RSS peak | RSS median | RSS p95 | CPU (share of one core) | readings spooled | expected |%n");
                System.out.printf(Locale.ROOT, "|---|---|---|---|---|---|%n");
                System.out.printf(Locale.ROOT, "| %.1f MB | %.1f MB | %.1f MB | %.1f %% | %d | ~%d |%n",
                        sorted[sorted.length - 1] / 1024.0, steady[steady.length / 2] / 1024.0,
                        steady[(int) (steady.length * 0.95)] / 1024.0, 100 * agentCores, spooled,
                        (long) sensors * hz * (seconds + 5));
                System.out.println("Target: RSS under 64 MB.");
            } finally {
                if (agent != null) {
                    agent.destroyForcibly();
                }
                broker.destroyForcibly();
            }
        }
    }

    /** As the device runs it: the agent's own class path (appliance.jar + agent-lib) and two malloc arenas. */
    static Process startAgent(Path log, List<String> flags, Path configFile, Path work) throws IOException {
        Path home = Path.of(System.getProperty("edge.home", "."));
        Path agentLib = home.resolve("appliance/target/agent-lib");
        if (!Files.isDirectory(agentLib)) {
            throw new IOException(agentLib + " is missing: build the appliance first (bin/bench does)");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(flags);
        command.addAll(List.of("-Dlogback.configurationFile=edge-logback.xml", "-cp",
                home.resolve("appliance/target/appliance.jar") + ":" + agentLib + "/*",
                "dev.edgeline.appliance.Main", "agent", "--config", configFile.toString(), "--data-dir", work.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        return builder.start();
    }

    static List<String> agentJvmFlags() {
        String override = System.getProperty("agent.flags");
        return override != null ? List.of(override.trim().split("\\s+")) : DeviceRenderer.agentJvmFlags();
    }

    private static long countSpooled(Path configFile, Path work) throws Exception {
        DeviceConfig config = ConfigLoader.load(configFile, work);
        long count = 0;
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), config.device().id(),
                InstantSource.system());
             SpoolReader reader = spool.openReader("footprint-count")) {
            int n;
            while ((n = reader.poll(10_000, Duration.ofMillis(200)).size()) > 0) {
                count += n;
            }
        }
        return count;
    }
}
