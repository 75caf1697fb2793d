package dev.edgeline.benchmarks;

import dev.edgeline.bridge.CloudBridge;
import dev.edgeline.bridge.internal.BridgeProducerProperties;
import dev.edgeline.bridge.internal.RecordMapper;
import dev.edgeline.bridge.internal.SecurityProperties;
import dev.edgeline.broker.spool.FileSpoolReader;
import dev.edgeline.broker.spool.SpooledRecord;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.RecordEnvelope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One measured drain of {@link DrainComparison}, in its own JVM so that its CPU time is its own:
 * {@code ours|peer|peer-identity|peer-bare <device.yaml> <records>}. Prints {@code RESULT <records/s> <CPU ns> <records> <RSS KiB>}.
 *
 * <ul>
 *   <li>{@code ours}: the cloud bridge reads the spool (as the separate bridge service does, from another process)
 *       and forwards it as the configuration says. Measured from its first committed (or acknowledged) batch until
 *       every record is in: connecting, fencing and reading the checkpoint are its start, not its drain.</li>
 *   <li>{@code peer}: a bare Kafka producer with the bridge's producer settings sends <em>the same Kafka records</em>
 *       (the bridge's own mapping of the same spool, made before the clock starts and held in memory): exactly once
 *       in transactions of the bridge's batch size, at least once free-running (send all, then flush), as Kafka's
 *       ProducerPerformance does. What Kafka's client costs for these records, without the spool, the mapping and
 *       the checkpoint.</li>
 *   <li>{@code peer-identity}, {@code peer-bare}: the same, the records keeping only the four identity headers
 *       ({@code device}, {@code stream}, {@code boot}, {@code seq}), or none: what the headers cost in the client.</li>
 * </ul>
 */
public final class DrainRunMain {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);

    private DrainRunMain() {}

    public static void main(String[] args) throws Exception {
        Path configFile = Path.of(args[1]);
        DeviceConfig config = ConfigLoader.load(configFile, configFile.getParent(), false);
        int records = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "ours" -> ours(config, records);
            case "peer" -> peer(config, records, Headers.ALL);
            case "peer-identity" -> peer(config, records, Headers.IDENTITY);
            case "peer-bare" -> peer(config, records, Headers.NONE);
            default -> throw new IllegalArgumentException("ours, peer, peer-identity or peer-bare, not " + args[0]);
        }
    }

    private static void ours(DeviceConfig config, int records) throws Exception {
        Path spool = config.spool().directory();
        try (CloudBridge bridge = new CloudBridge(config.bridge(), config.device().id(),
                () -> FileSpoolReader.openFromOtherProcess(spool, "bridge"))) {
            bridge.start();
            awaitForwarded(bridge, 1, START_TIMEOUT);
            long first = bridge.forwarded();
            long cpu = CpuMeter.cpuNanos(ProcessHandle.current());
            long start = System.nanoTime();
            awaitForwarded(bridge, records, DRAIN_TIMEOUT);
            long nanos = System.nanoTime() - start;
            report(records - first, nanos, CpuMeter.cpuNanos(ProcessHandle.current()) - cpu);
        }
    }

    private static void awaitForwarded(CloudBridge bridge, long records, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (bridge.forwarded() < records) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the bridge forwarded " + bridge.forwarded() + " of " + records
                        + " records within " + timeout + " (state " + bridge.status().state() + ": "
                        + bridge.lastError() + ")");
            }
            Thread.sleep(1);
        }
    }

    /** Which of the bridge's headers the peer keeps: all, the four that identify a reading, or none. */
    private enum Headers {
        ALL, IDENTITY, NONE;

        ProducerRecord<byte[], byte[]> apply(ProducerRecord<byte[], byte[]> record) {
            if (this == ALL) {
                return record;
            }
            List<Header> kept = new ArrayList<>();
            if (this == IDENTITY) {
                for (Header header : record.headers()) {
                    if (IDENTITY_HEADERS.contains(header.key())) {
                        kept.add(header);
                    }
                }
            }
            return new ProducerRecord<>(record.topic(), null, record.timestamp(), record.key(), record.value(),
                    kept);
        }
    }

    private static final java.util.Set<String> IDENTITY_HEADERS = java.util.Set.of(RecordEnvelope.DEVICE,
            RecordEnvelope.STREAM, RecordEnvelope.BOOT, RecordEnvelope.SEQ);

    private static void peer(DeviceConfig config, int records, Headers headers) throws Exception {
        BridgeConfig bridgeConfig = config.bridge();
        List<ProducerRecord<byte[], byte[]>> prepared = new ArrayList<>(records);
        for (ProducerRecord<byte[], byte[]> record : sameRecords(config, records)) {
            prepared.add(headers.apply(record));
        }
        // The prepared records into the old generation now: else the first young collections in the measured window
        // copy them (hundreds of MB), and how much so depends on how much garbage preparing them happened to make.
        System.gc();
        var settings = BridgeProducerProperties.of(bridgeConfig, config.device().id() + "-peer",
                SecurityProperties.of(bridgeConfig.security()));
        boolean transactional = bridgeConfig.delivery() == BridgeConfig.Delivery.EXACTLY_ONCE;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings)) {
            if (transactional) {
                producer.initTransactions();
            }
            producer.partitionsFor(prepared.getFirst().topic()); // the topic made and known before the clock starts
            long cpu = CpuMeter.cpuNanos(ProcessHandle.current());
            long start = System.nanoTime();
            if (transactional) {
                int batch = bridgeConfig.batchRecords();
                for (int i = 0; i < prepared.size(); i += batch) {
                    producer.beginTransaction();
                    for (ProducerRecord<byte[], byte[]> record : prepared.subList(i, Math.min(prepared.size(),
                            i + batch))) {
                        producer.send(record);
                    }
                    producer.commitTransaction();
                }
            } else {
                AtomicLong failed = new AtomicLong();
                AtomicReference<Exception> firstFailure = new AtomicReference<>();
                for (ProducerRecord<byte[], byte[]> record : prepared) {
                    producer.send(record, (metadata, error) -> {
                        if (error != null && failed.getAndIncrement() == 0) {
                            firstFailure.set(error);
                        }
                    });
                }
                producer.flush();
                if (failed.get() > 0) {
                    throw new IllegalStateException(failed.get() + " records failed", firstFailure.get());
                }
            }
            long nanos = System.nanoTime() - start;
            report(prepared.size(), nanos, CpuMeter.cpuNanos(ProcessHandle.current()) - cpu);
        }
    }

    /** The bridge's own Kafka records for the first {@code records} records of the spool, in spool order. */
    private static List<ProducerRecord<byte[], byte[]>> sameRecords(DeviceConfig config, int records)
            throws Exception {
        RecordMapper mapper = new RecordMapper(config.bridge(), config.device().id());
        List<ProducerRecord<byte[], byte[]>> prepared = new ArrayList<>(records);
        try (FileSpoolReader reader = FileSpoolReader.openFromOtherProcess(config.spool().directory(), "peer")) {
            while (prepared.size() < records) {
                List<SpooledRecord> batch = reader.poll(10_000, 10_000, Duration.ofSeconds(1));
                if (batch.isEmpty()) {
                    throw new IllegalStateException("the spool holds " + prepared.size() + " records, not " + records);
                }
                for (SpooledRecord spooled : batch) {
                    prepared.add(mapper.map(spooled.record()).orElseThrow());
                }
            }
        }
        return prepared;
    }

    private static void report(long records, long nanos, long cpuNanos) throws Exception {
        System.out.printf(Locale.ROOT, "RESULT %.1f %d %d %d%n", records / (nanos / 1e9), cpuNanos, records,
                ResidentMemory.rssKb(ProcessHandle.current().pid()));
        System.out.flush();
    }
}
