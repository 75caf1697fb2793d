package dev.edgeline.benchmarks;

import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.agent.bus.SimulatedOnlyBuses;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sampling jitter: the agent samples simulated sensors at 100 Hz (default: 1 sensor, 60 s) while publishing every
 * reading to our broker in another JVM, and records how late each read began against its schedule
 * ({@code start + n × period}). Prints p50/p99/p99.9/max in microseconds. Target: p99 within a small fraction of the
 * 10 ms period. No pass/fail.
 *
 * <p>Arguments: {@code [seconds] [sensors] [hz]}.
 */
public final class SamplingJitterHarness {
    private SamplingJitterHarness() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int sensors = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int hz = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        try (WorkDirectory workDirectory = new WorkDirectory("agent-jitter-")) {
            Path work = workDirectory.path();
            int port = LocalProcesses.freePort();
            Path configFile = SimulatedDeviceConfig.write(work, "jitter-pi", port, sensors, hz);
            DeviceConfig config = ConfigLoader.load(configFile, work);
            Process broker = LocalProcesses.startBroker(work.resolve("broker.log"), "--config", configFile.toString(),
                    "--data-dir", work.toString());
            long[] lateness = new long[(seconds + 10) * hz * sensors];
            AtomicInteger count = new AtomicInteger();
            try {
                LocalProcesses.awaitPort(port, broker);
                try (EdgeAgent agent = EdgeAgent.create(config, EdgeAgent.Options.of(new SimulatedOnlyBuses())
                        .lateness(nanos -> {
                            int i = count.getAndIncrement();
                            if (i < lateness.length) {
                                lateness[i] = nanos;
                            }
                        }))) {
                    agent.start();
                    Thread.sleep(seconds * 1000L);
                    agent.stopSampling();
                    System.out.printf(Locale.ROOT, "%nSampling jitter: %d sensor(s) at %d Hz for %d s, publishing to "
                                    + "the broker: %d samples, %d acknowledged%n", sensors, hz, seconds,
                            agent.sampled(), agent.acknowledged());
                }
            } finally {
                broker.destroy();
                broker.waitFor();
            }
            long[] sorted = Arrays.copyOf(lateness, Math.min(count.get(), lateness.length));
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "| lateness p50 | p99 | p99.9 | max | period |%n|---|---|---|---|---|%n");
            System.out.printf(Locale.ROOT, "| %d µs | %d µs | %d µs | %d µs | %d µs |%n", pct(sorted, 0.5) / 1000,
                    pct(sorted, 0.99) / 1000, pct(sorted, 0.999) / 1000, sorted[sorted.length - 1] / 1000,
                    1_000_000 / hz);
        }
    }

    private static long pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
    }
}
