package dev.edgeline.benchmarks;

import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How fast the agent's disk outbox drains once the broker is back (issue 20: it must drain at least 10x faster than
 * the agent samples, or live data stays minutes behind after an outage). The agent (in this JVM) samples
 * {@code sensors} simulated sensors at {@code hz} with the broker down for {@code outage} seconds, then the broker
 * (its own JVM, device flags) starts; the harness polls the outbox until no more than one round of readings waits.
 * Drain rate = readings acknowledged during the drain / its duration (sampling goes on meanwhile). Several runs,
 * each on a fresh directory; prints median (min-max) and the ratio to the sampling rate. No pass/fail.
 *
 * <p>Arguments: {@code [sensors=3] [hz=10] [outage seconds=60] [runs=3]}.
 */
public final class OutboxDrainHarness {
    private OutboxDrainHarness() {}

    private record Run(long backlog, double drainSeconds, double drainPerSecond, double reconnectSeconds,
                       double publishingPerSecond) {}

    public static void main(String[] args) throws Exception {
        int sensors = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int hz = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int outage = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        List<Run> results = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Run result = run(sensors, hz, outage);
            results.add(result);
            System.err.printf(Locale.ROOT, "run %d: backlog %,d readings, drained in %.2f s (%.2f s of them before the "
                            + "first acknowledgement), %.0f readings/s overall, %.0f/s once connected%n", run,
                    result.backlog(), result.drainSeconds(), result.reconnectSeconds(), result.drainPerSecond(),
                    result.publishingPerSecond());
        }
        double sampling = (double) sensors * hz;
        double[] rates = results.stream().mapToDouble(Run::drainPerSecond).sorted().toArray();
        double[] seconds = results.stream().mapToDouble(Run::drainSeconds).sorted().toArray();
        double[] reconnect = results.stream().mapToDouble(Run::reconnectSeconds).sorted().toArray();
        double[] connected = results.stream().mapToDouble(Run::publishingPerSecond).sorted().toArray();
        System.out.println();
        System.out.printf(Locale.ROOT, "Agent outbox drain after a %d s broker outage: %d sensors at %d Hz (%.0f "
                + "readings/s sampled), %d runs; median (min-max)%n", outage, sensors, hz, sampling, runs);
        System.out.println("| backlog | drain time from broker up | of it, until the first ack (reconnect) "
                + "| drain rate "
                + "overall | drain rate / sampling rate | once connected |");
        System.out.println("|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %,d | %.2f s (%.2f-%.2f) | %.2f s (%.2f-%.2f) | %,.0f/s (%,.0f-%,.0f) | "
                        + "%.0fx (%.0f-%.0f) | %,.0f/s (%,.0f-%,.0f) |%n",
                results.get(results.size() / 2).backlog(), Stats.median(seconds), seconds[0],
                seconds[seconds.length - 1],
                Stats.median(reconnect), reconnect[0], reconnect[reconnect.length - 1],
                Stats.median(rates), rates[0], rates[rates.length - 1], Stats.median(rates) / sampling,
                rates[0] / sampling, rates[rates.length - 1] / sampling, Stats.median(connected), connected[0],
                connected[connected.length - 1]);
        System.out.println("Target: at least 10x the sampling rate.");
    }

    private static Run run(int sensors, int hz, int outage) throws Exception {
        try (WorkDirectory workDirectory = new WorkDirectory("outbox-drain-")) {
            Path work = workDirectory.path();
            int port = LocalProcesses.freePort();
            Path configFile = SimulatedDeviceConfig.write(work, "drain-pi", port, sensors, hz);
            DeviceConfig config = ConfigLoader.load(configFile, work);
            Process broker = null;
            try (EdgeAgent agent = EdgeAgent.create(config, reading -> { })) {
                agent.start();
                Thread.sleep(outage * 1_000L);
                long backlog = agent.pending();
                broker = LocalProcesses.startBroker(work.resolve("broker.log"), "--config", configFile.toString(),
                        "--data-dir", work.toString());
                LocalProcesses.awaitPort(port, broker);
                long acknowledgedAtStart = agent.acknowledged();
                long start = System.nanoTime();
                long firstAck = 0;
                while (agent.pending() > sensors) {
                    Thread.sleep(5);
                    if (firstAck == 0 && agent.acknowledged() > acknowledgedAtStart) {
                        firstAck = System.nanoTime();
                    }
                    if (System.nanoTime() - start > 600_000_000_000L) {
                        throw new IllegalStateException("the outbox did not drain within 10 minutes");
                    }
                }
                long end = System.nanoTime();
                firstAck = firstAck == 0 ? end : firstAck;
                double seconds = (end - start) / 1e9;
                long drained = agent.acknowledged() - acknowledgedAtStart;
                double publishing = Math.max(1e-3, (end - firstAck) / 1e9);
                return new Run(backlog, seconds, drained / seconds, (firstAck - start) / 1e9, drained / publishing);
            } finally {
                if (broker != null) {
                    broker.destroy();
                    broker.waitFor();
                }
            }
        }
    }
}
