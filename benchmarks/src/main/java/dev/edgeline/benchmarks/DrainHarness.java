package dev.edgeline.benchmarks;

import dev.edgeline.bridge.CloudBridge;
import dev.edgeline.broker.spool.AppendOutcome;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.KafkaSecurity;
import dev.edgeline.config.KeyTemplate;
import dev.edgeline.config.Route;
import dev.edgeline.config.SpoolConfig;
import dev.edgeline.config.TopicFilter;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drain: a backlog of 200-byte records (default 1,000,000) forwarded from the spool by the bridge (exactly once:
 * committed, so visible to read_committed consumers), in records per second; and in the same run, against the same
 * embedded broker, Kafka's own {@code ProducerPerformance} with the same record size, compression and acks as the
 * physical limit. Payloads are random capital letters, as ProducerPerformance makes them. Prints a table.
 */
public final class DrainHarness {
    private static final int BATCH = Integer.getInteger("drain.batch", 20_000);

    private DrainHarness() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        WorkDirectory workDirectory = new WorkDirectory("drain-bench-");
        Path work = workDirectory.path();
        Runtime.getRuntime().addShutdownHook(new Thread(workDirectory::close));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), 0)) {
            double limit = producerPerformance(kafka.bootstrapServers(), records, "drain.limit");
            double eos = drain(kafka.bootstrapServers(), work.resolve("spool-eos"), records,
                    BridgeConfig.Delivery.EXACTLY_ONCE, "drain.eos");
            double alo = drain(kafka.bootstrapServers(), work.resolve("spool-alo"), records,
                    BridgeConfig.Delivery.AT_LEAST_ONCE, "drain.alo");
            System.out.println();
            System.out.printf(Locale.ROOT, "Drain of %,d records of 200 bytes, zstd, acks=all, one embedded broker%n",
                    records);
            System.out.println("| sender | records/s | of the limit |");
            System.out.println("|---|---|---|");
            System.out.printf(Locale.ROOT, "| Kafka ProducerPerformance (physical limit) | %,.0f | 100%% |%n", limit);
            System.out.printf(Locale.ROOT, "| bridge, exactly once (transactions, batch " + BATCH + ") | %,.0f | %.0f%% |%n",
                    eos, 100 * eos / limit);
            System.out.printf(Locale.ROOT, "| bridge, at least once (batch " + BATCH + ") | %,.0f | %.0f%% |%n", alo,
                    100 * alo / limit);
        }
    }

    private static double drain(String bootstrap, Path spoolDir, int records, BridgeConfig.Delivery delivery,
                                String topic) throws Exception {
        SpoolConfig spoolConfig = SpoolConfig.singleLane(spoolDir, 64L << 20, 16L << 30);
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(spoolConfig, "bench-pi", InstantSource.system())) {
            SplittableRandom random = new SplittableRandom(1);
            List<CompletableFuture<AppendOutcome>> pending = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                byte[] payload = new byte[200];
                for (int b = 0; b < payload.length; b++) {
                    payload[b] = (byte) ('A' + random.nextInt(26));
                }
                pending.add(spool.append(SpoolConfig.DEFAULT_LANE, new SpoolRecord("bench-pi", "s" + (i & 7), 1,
                        i >>> 3, "edge/bench-pi/s" + (i & 7), true, i, payload)));
                if (pending.size() == 32_768) {
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                }
            }
            pending.forEach(CompletableFuture::join);
            BridgeConfig config = new BridgeConfig(bootstrap, List.of(new Route(TopicFilter.parse("edge/#"), topic,
                    KeyTemplate.parse(KeyTemplate.DEFAULT), SpoolConfig.DEFAULT_LANE)), BATCH, Duration.ofSeconds(1),
                    "drain.gaps", delivery, "drain.checkpoints." + delivery.name().toLowerCase(Locale.ROOT), "zstd",
                    KafkaSecurity.plaintext(), 0);
            long start = System.nanoTime();
            try (CloudBridge bridge = new CloudBridge(config, "bench-pi-" + delivery.name().toLowerCase(Locale.ROOT),
                    () -> spool.openReader("bridge"))) {
                bridge.start();
                while (bridge.forwarded() < records) {
                    Thread.sleep(20);
                }
                return records / ((System.nanoTime() - start) / 1e9);
            }
        }
    }

    /** Runs kafka-tools' ProducerPerformance in a child JVM and returns its records/s. */
    private static double producerPerformance(String bootstrap, int records, String topic) throws Exception {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ProducerPerformance",
                "--topic", topic, "--num-records", String.valueOf(records), "--record-size", "200",
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + bootstrap, "acks=all",
                "compression.type=zstd", "linger.ms=5", "batch.size=262144", "enable.idempotence=true");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String last = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.contains("records sent")) {
                    last = line;
                }
            }
        }
        process.waitFor(10, TimeUnit.MINUTES);
        if (last == null) {
            throw new IllegalStateException("ProducerPerformance printed no result");
        }
        System.out.println("ProducerPerformance: " + last);
        return Double.parseDouble(last.replaceAll(".*records sent, ([0-9.]+) records/sec.*", "$1"));
    }
}
