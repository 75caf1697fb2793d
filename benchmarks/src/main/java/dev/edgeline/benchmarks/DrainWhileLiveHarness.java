package dev.edgeline.benchmarks;

import dev.edgeline.broker.spool.AppendOutcome;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drain while live: a backlog (default 500,000 records of 200 bytes, as after a WAN outage) waits in the spool's
 * low-priority lane when the broker and the exactly-once bridge start ({@link EdgeServices}: as provisioned unless
 * {@code -Dbridge.layout=in-process}), while one Paho
 * publisher keeps a live load (default 1,000 msg/s for 30 s) on the high-priority lane. Measures the backlog's drain
 * rate into Kafka (read_committed) while the live load runs, and the live messages' publish-to-consume latency during
 * the drain. Kafka runs in its own JVM. Prints a table; no pass/fail.
 *
 * <p>Arguments: {@code [backlog records] [live msg/s] [seconds]}; {@code -Ddwl.batch=N} sets the bridge's
 * {@code batch-records} (default 5,000, the configuration default).
 */
public final class DrainWhileLiveHarness {
    private static final int BATCH = Integer.getInteger("dwl.batch", 5_000);

    private DrainWhileLiveHarness() {}

    public static void main(String[] args) throws Exception {
        int backlog = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        try (WorkDirectory workDirectory = new WorkDirectory("drain-live-bench-")) {
            Path work = workDirectory.path();
            int mqttPort = LocalProcesses.freePort();
            int kafkaPort = LocalProcesses.freePort();
            String bootstrap = "127.0.0.1:" + kafkaPort;
            Path configFile = work.resolve("device.yaml");
            Files.writeString(configFile, """
                    device: {id: dwl-pi}
                    broker: {listener: {port: %d}, data-directory: broker}
                    spool:
                      directory: spool
                      segment-bytes: 67108864
                      budget-bytes: 8589934592
                      lanes: [{name: live}, {name: backlog}]
                    agent: {state-directory: agent}
                    kafka:
                      bootstrap-servers: %s
                      batch-records: %d
                      routes:
                        - {mqtt-filter: "edge/+/live", kafka-topic: dwl.live, lane: live}
                        - {mqtt-filter: "edge/#", kafka-topic: dwl.backlog, lane: backlog}
                    sensors: []
                    """.formatted(mqttPort, bootstrap, BATCH));
            DeviceConfig config = ConfigLoader.load(configFile, work);
            fillBacklog(config, backlog);
            Process kafka = LocalProcesses.startKafka(work.resolve("kafka.log"), work.resolve("kafka"), kafkaPort);
            EdgeServices services = null;
            try {
                int total = rate * seconds;
                try (CommittedRecordCounter drained = new CommittedRecordCounter(bootstrap, "dwl.backlog");
                     LatencyConsumer live = new LatencyConsumer(bootstrap, "dwl.live", total)) {
                    services = EdgeServices.start(work, configFile, mqttPort, EdgeServices.BridgeLayout.fromProperty());
                    // Live load from the moment the bridge forwards (as when a WAN link comes back to a running
                    // bridge), so that its start-up does not count as live latency.
                    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                    while (drained.count() == 0 && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    long start = System.nanoTime();
                    try (RatePublisher publisher = new RatePublisher(mqttPort, "dwl-pi", "live")) {
                        publisher.publish(total, rate);
                    }
                    double liveSeconds = (System.nanoTime() - start) / 1e9;
                    long drainedDuringLive = drained.count();
                    live.await(Duration.ofSeconds(60));
                    deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                    while (drained.count() < backlog && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    double drainSeconds = (System.nanoTime() - start) / 1e9;
                    long[] latencies = live.latencies();
                    long missing = Arrays.stream(latencies).filter(l -> l == 0).count();
                    Arrays.sort(latencies);
                    System.out.printf(Locale.ROOT, "%nDrain while live: %,d backlog records (200 bytes, low lane) and "
                            + "%,d live msg/s for %d s (high lane), exactly-once bridge, batch-records %d; %s%n",
                            backlog, rate, seconds, BATCH, services.description());
                    System.out.println("| backlog records/s while live | backlog done after | live p50 | live p99 | "
                            + "live p99.9 | live max | live not received |");
                    System.out.println("|---|---|---|---|---|---|---|");
                    System.out.printf(Locale.ROOT, "| %,.0f | %.1f s%s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %d |%n",
                            drainedDuringLive / liveSeconds, drainSeconds,
                            drained.count() < backlog ? " (unfinished: " + drained.count() + ")" : "",
                            LatencyConsumer.percentile(latencies, missing, 0.5),
                            LatencyConsumer.percentile(latencies, missing, 0.99),
                            LatencyConsumer.percentile(latencies, missing, 0.999),
                            latencies[latencies.length - 1] / 1e6, missing);
                }
            } finally {
                if (services != null) {
                    services.close();
                }
                kafka.destroy();
                kafka.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void fillBacklog(DeviceConfig config, int records) throws Exception {
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), config.device().id(),
                InstantSource.system())) {
            List<CompletableFuture<AppendOutcome>> pending = new ArrayList<>();
            byte[] payload = new byte[200];
            Arrays.fill(payload, (byte) 'x');
            for (int i = 0; i < records; i++) {
                pending.add(spool.append("backlog", new SpoolRecord("dwl-pi", "b" + (i & 7), 1, i >>> 3,
                        "edge/dwl-pi/b" + (i & 7), true, System.currentTimeMillis(), payload)));
                if (pending.size() == 32_768) {
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                }
            }
            pending.forEach(CompletableFuture::join);
        }
    }
}
