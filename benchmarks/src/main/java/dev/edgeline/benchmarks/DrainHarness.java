package dev.edgeline.benchmarks;

import dev.edgeline.bridge.CloudBridge;
import dev.edgeline.bridge.internal.BridgeProducerProperties;
import dev.edgeline.bridge.internal.RecordMapper;
import dev.edgeline.bridge.internal.SecurityProperties;
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
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Drain: a backlog of 200-byte records (default 1,000,000) forwarded from the spool by the bridge (exactly once:
 * committed, so visible to read_committed consumers), in records per second; and in the same run, against the same
 * embedded broker, Kafka's own {@code ProducerPerformance} with the same record size, compression and acks as the
 * physical limit. Payloads are random capital letters, as ProducerPerformance makes them. Between the two, a bare Kafka
 * producer sending the bridge's own record format (key and 11 headers) shows how much of the gap is the format and how
 * much the bridge. Prints a table.
 */
public final class DrainHarness {
    private static final int BATCH = Integer.getInteger("drain.batch", 20_000);

    private DrainHarness() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path work = WorkDirectory.deletedAtExit("drain-bench-").path();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), 0)) {
            // A first, unmeasured ProducerPerformance run warms the broker's JIT, so that the measured limit is not
            // taken on a cold broker while the bridge runs later against a warm one.
            producerPerformance(kafka.bootstrapServers(), Math.max(1, records / 2), "drain.warmup");
            double limit = producerPerformance(kafka.bootstrapServers(), records, "drain.limit");
            double formatEos = producerAlone(kafka.bootstrapServers(), records, true, "drain.format.eos");
            double formatAlo = producerAlone(kafka.bootstrapServers(), records, false, "drain.format.alo");
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
            System.out.printf(Locale.ROOT, "| Kafka producer alone, the bridge's records (key, 11 headers), "
                    + "transactions of %,d | %,.0f | %.0f%% |%n", BATCH, formatEos, 100 * formatEos / limit);
            System.out.printf(Locale.ROOT, "| Kafka producer alone, the bridge's records, idempotent, no transactions "
                    + "| %,.0f | %.0f%% |%n", formatAlo, 100 * formatAlo / limit);
            System.out.printf(Locale.ROOT, "| bridge, exactly once (batch %,d) | %,.0f | %.0f%% (%.0f%% of the "
                    + "producer alone) |%n", BATCH, eos, 100 * eos / limit, 100 * eos / formatEos);
            System.out.printf(Locale.ROOT, "| bridge, at least once (batch %,d) | %,.0f | %.0f%% (%.0f%% of the "
                    + "producer alone) |%n", BATCH, alo, 100 * alo / limit, 100 * alo / formatAlo);
        }
    }

    private static double drain(String bootstrap, Path spoolDir, int records, BridgeConfig.Delivery delivery,
                                String topic) throws Exception {
        SpoolConfig spoolConfig = SpoolConfig.singleLane(spoolDir, 64L << 20, 16L << 30);
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(spoolConfig, "bench-pi", InstantSource.system())) {
            SplittableRandom random = new SplittableRandom(1);
            List<CompletableFuture<AppendOutcome>> pending = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                pending.add(spool.append(SpoolConfig.DEFAULT_LANE, benchRecord(i, i, random)));
                if (pending.size() == 32_768) {
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                }
            }
            pending.forEach(CompletableFuture::join);
            BridgeConfig config = bridgeConfig(bootstrap, topic, delivery);
            long start = System.nanoTime();
            try (CloudBridge bridge = new CloudBridge(config, "bench-pi-" + delivery.name().toLowerCase(Locale.ROOT),
                    () -> spool.openReader("bridge"))) {
                bridge.start();
                while (bridge.forwarded() == 0) {
                    Thread.sleep(1);
                }
                // The rate counts from the first committed batch: connecting, fencing and reading the checkpoint
                // (printed apart) are not draining, and ProducerPerformance does not count its start either.
                long firstNanos = System.nanoTime();
                long first = bridge.forwarded();
                while (bridge.forwarded() < records) {
                    Thread.sleep(20);
                }
                double rate = (records - first) / ((System.nanoTime() - firstNanos) / 1e9);
                System.out.printf(Locale.ROOT, "bridge %s: first batch of %,d committed %.2f s after start; %,.0f "
                        + "records/s from then on%n", delivery, first, (firstNanos - start) / 1e9, rate);
                return rate;
            }
        }
    }

    /**
     * The bridge's own records (the same key, the 11 headers, random capital-letter payloads made as
     * ProducerPerformance makes them) sent by a bare Kafka producer with the bridge's producer settings
     * ({@link BridgeProducerProperties}, as the bridge uses them), in
     * transactions of {@code BATCH} or idempotent without: what Kafka's client and broker cost for this record format,
     * without the spool and the bridge's loop. Records/s from the first send until everything is committed (acked).
     */
    private static double producerAlone(String bootstrap, int records, boolean transactional, String topic)
            throws Exception {
        BridgeConfig config = bridgeConfig(bootstrap, topic,
                transactional ? BridgeConfig.Delivery.EXACTLY_ONCE : BridgeConfig.Delivery.AT_LEAST_ONCE);
        RecordMapper mapper = new RecordMapper(config, "bench-pi");
        SplittableRandom random = new SplittableRandom(2);
        java.util.Properties settings =
                BridgeProducerProperties.of(config, "drain-format-" + topic, SecurityProperties.of(config.security()));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings)) {
            if (transactional) {
                producer.initTransactions();
            }
            producer.partitionsFor(topic); // topic creation and metadata before the clock starts, as for the bridge
            long start = System.nanoTime();
            List<Future<RecordMetadata>> acks = new ArrayList<>(BATCH);
            for (int i = 0; i < records; i += BATCH) {
                if (transactional) {
                    producer.beginTransaction();
                }
                for (int n = i; n < Math.min(records, i + BATCH); n++) {
                    SpoolRecord record = benchRecord(n, System.currentTimeMillis(), random);
                    acks.add(producer.send(mapper.map(record).orElseThrow()));
                }
                if (transactional) {
                    producer.commitTransaction();
                } else {
                    for (Future<RecordMetadata> ack : acks) {
                        ack.get();
                    }
                }
                acks.clear();
            }
            return records / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The bridge's configuration for the benchmark: every {@code edge/#} record to {@code topic}, zstd, plaintext. */
    static BridgeConfig bridgeConfig(String bootstrap, String topic, BridgeConfig.Delivery delivery) {
        return new BridgeConfig(bootstrap, List.of(new Route(TopicFilter.parse("edge/#"), topic,
                KeyTemplate.parse(KeyTemplate.DEFAULT), SpoolConfig.DEFAULT_LANE)), BATCH, Duration.ofSeconds(1),
                "drain.gaps", delivery, "drain.checkpoints." + delivery.name().toLowerCase(Locale.ROOT), "zstd",
                KafkaSecurity.plaintext(), 0);
    }

    /**
     * Record {@code n} of the benchmark's 8 streams (seq {@code n / 8}), arrived at {@code receivedAt}, with a 200-byte
     * payload of random capital letters, as ProducerPerformance makes them.
     */
    static SpoolRecord benchRecord(int n, long receivedAt, SplittableRandom random) {
        byte[] payload = new byte[200];
        for (int b = 0; b < payload.length; b++) {
            payload[b] = (byte) ('A' + random.nextInt(26));
        }
        return new SpoolRecord("bench-pi", "s" + (n & 7), 1, n >>> 3, "edge/bench-pi/s" + (n & 7), true, receivedAt,
                payload);
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
