package dev.edgeline.benchmarks;

import dev.edgeline.benchmarks.EdgeServices.BridgeLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end sustained throughput: N Paho publishers (QoS 1, 200-byte payloads, a window of unacknowledged publishes
 * each) into our broker ({@code bin/edge broker}, the device's JVM flags) and a read_committed consumer counting what
 * the exactly-once bridge commits to Kafka (own JVM, Kafka's flags). Three runs: the broker's durable ingest alone
 * (its bridge pointed at a closed port) as the reference; the bridge in the broker's process; the bridge in its own
 * process with the {@code edge-bridge} unit's priority, as a provisioned device runs it ({@link EdgeServices}). The
 * bridge should never be the bottleneck: what Kafka's consumers see per second should match what the broker
 * acknowledges. Arguments: publishers (16), window (64), measured seconds (30, after a 20 s warm-up). Prints a
 * table; no pass/fail.
 */
public final class EndToEndThroughputHarness {
    private static final int WARMUP_SECONDS = 20;

    private EndToEndThroughputHarness() {}

    public static void main(String[] args) throws Exception {
        int publishers = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Path work = WorkDirectory.deletedAtExit("e2e-throughput-").path();
        int kafkaPort = LocalProcesses.freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        Process kafka = LocalProcesses.startKafka(work.resolve("kafka.log"), work.resolve("kafka"), kafkaPort);
        try {
            Result alone = run(work.resolve("alone"), "127.0.0.1:9", BridgeLayout.IN_PROCESS, publishers, window,
                    seconds, null, kafka);
            List<Result> bridged = new ArrayList<>();
            for (BridgeLayout layout : BridgeLayout.values()) {
                String topic = "e2e.throughput." + layout.name().toLowerCase(Locale.ROOT);
                try (CommittedRecordCounter consumed = new CommittedRecordCounter(bootstrap, topic)) {
                    bridged.add(run(work.resolve(layout.name().toLowerCase(Locale.ROOT)), bootstrap, layout,
                            publishers, window, seconds, consumed, kafka));
                }
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "End to end, sustained: %d publishers, window %d, QoS 1, 200-byte payloads, "
                    + "%d s after %d s warm-up; broker, Kafka and the publishers on the same %d cores%n", publishers,
                    window, seconds, WARMUP_SECONDS, Runtime.getRuntime().availableProcessors());
            System.out.println("| run | acknowledged publishes/s | read_committed records/s | of the broker alone "
                    + "| of its own acks | behind when the publishers stopped | all committed after |");
            System.out.println("|---|---|---|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| broker alone (bridge cut off: durable ingest) | %,.0f | - | 100%% "
                    + "| - | - | - |%n", alone.acked());
            for (Result result : bridged) {
                System.out.printf(Locale.ROOT, "| broker + exactly-once bridge + Kafka; %s | %,.0f | %,.0f | %.0f%% "
                        + "| %.0f%% | %,d | %.1f s |%n", result.layout(), result.acked(), result.consumed(),
                        100 * result.consumed() / alone.acked(), 100 * result.consumed() / result.acked(),
                        result.behindAtStop(), result.catchUpSeconds());
            }
            System.out.println();
            System.out.println("Where the cores went in the measured window (cores used), and the device's CPU per "
                    + "record (broker and bridge; the publishers and Kafka are not on a device)");
            System.out.println("| run | publishers + consumer | broker | bridge process | Kafka "
                    + "| device µs per record | RSS at the end: broker, bridge process |");
            System.out.println("|---|---|---|---|---|---|---|");
            printCpuRow("broker alone (per durable ack)", alone, alone.acked());
            for (Result result : bridged) {
                printCpuRow(result.layout() + " (per committed record)", result, result.consumed());
            }
        } finally {
            kafka.destroy();
            kafka.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private record Result(String layout, double acked, double consumed, long behindAtStop, double catchUpSeconds,
                          Map<String, Double> cores, Map<String, Long> rssKb) {}

    private static void printCpuRow(String run, Result result, double recordsPerSecond) {
        Map<String, Double> cores = result.cores();
        double device = cores.get("broker") + cores.getOrDefault("bridge", 0.0);
        System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %s | %.2f | %.1f | %,d MiB%s |%n", run,
                cores.get("harness"), cores.get("broker"), cores.containsKey("bridge") ? String.format(Locale.ROOT,
                        "%.2f", cores.get("bridge")) : "-", cores.get("kafka"), 1e6 * device / recordsPerSecond,
                result.rssKb().get("broker") / 1024, result.rssKb().containsKey("bridge")
                        ? String.format(Locale.ROOT, ", %,d MiB", result.rssKb().get("bridge") / 1024) : "");
    }

    private static Result run(Path dir, String bootstrap, BridgeLayout layout, int publishers, int window,
                              int seconds, CommittedRecordCounter consumed, Process kafka) throws Exception {
        Files.createDirectories(dir);
        int port = LocalProcesses.freePort();
        String topic = consumed == null ? "e2e.throughput" : consumed.topic();
        // A device id per run: each run's bridge has its own transactional id and checkpoint.
        String device = "bench-pi-" + dir.getFileName();
        Path config = SimulatedDeviceConfig.writeBrokerOnly(dir, device, port, bootstrap, topic);
        List<WindowedPublisher> running = new ArrayList<>();
        try (EdgeServices services = EdgeServices.start(dir, config, port, layout)) {
            AtomicLong acknowledged = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            for (int i = 0; i < publishers; i++) {
                WindowedPublisher publisher = new WindowedPublisher("tcp://127.0.0.1:" + port, device, "p" + i, window,
                        acknowledged, refused);
                running.add(publisher);
                publisher.start();
            }
            Thread.sleep(WARMUP_SECONDS * 1000L);
            long ackedBefore = acknowledged.get();
            long consumedBefore = consumed == null ? 0 : consumed.count();
            Map<String, ProcessHandle> measured = new LinkedHashMap<>();
            measured.put("harness", ProcessHandle.current());
            measured.putAll(services.processes());
            measured.put("kafka", kafka.toHandle());
            CpuMeter cpu = CpuMeter.start(measured);
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double elapsed = (System.nanoTime() - start) / 1e9;
            Map<String, Double> cores = cpu.coresUsed();
            Map<String, Long> rssKb = new LinkedHashMap<>();
            for (Map.Entry<String, ProcessHandle> service : services.processes().entrySet()) {
                rssKb.put(service.getKey(), ResidentMemory.rssKb(service.getValue().pid()));
            }
            long acked = acknowledged.get() - ackedBefore;
            long committed = consumed == null ? 0 : consumed.count() - consumedBefore;
            for (WindowedPublisher publisher : running) {
                publisher.stop();
            }
            running.clear();
            if (refused.get() > 0) {
                System.out.println("refused publishes: " + refused.get());
            }
            if (consumed == null) {
                return new Result(services.description(), acked / elapsed, 0, 0, 0, cores, rssKb);
            }
            long stopped = System.nanoTime();
            long behind = acknowledged.get() - consumed.count();
            long deadline = stopped + TimeUnit.MINUTES.toNanos(5);
            while (consumed.count() < acknowledged.get() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            return new Result(services.description(), acked / elapsed, committed / elapsed, behind,
                    (System.nanoTime() - stopped) / 1e9, cores, rssKb);
        } finally {
            for (WindowedPublisher publisher : running) {
                publisher.stop();
            }
        }
    }
}
