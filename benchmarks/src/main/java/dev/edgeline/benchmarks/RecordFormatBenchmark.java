package dev.edgeline.benchmarks;

import dev.edgeline.bridge.internal.RecordMapper;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.BridgeConfig;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What one record costs Kafka's own client to put into a batch, by record format: the step of
 * {@code KafkaProducer.send} that runs on the caller's thread ({@code MemoryRecordsBuilder.append} into a 256 KiB
 * batch, as the producer's accumulator does with the bridge's {@code batch.size}). No broker, no network.
 *
 * <ul>
 *   <li>{@code producer-performance}: what kafka-tools' ProducerPerformance sends, a 200-byte value with no key and
 *       no headers.</li>
 *   <li>{@code bridge}: what the bridge sends for a 200-byte reading, the key and the 11 contract headers, mapped
 *       by the bridge's own {@link RecordMapper} from a spool record (mapping included).</li>
 * </ul>
 * Payloads are 200 random capital letters in both, as ProducerPerformance makes them. Run by
 * {@link RecordFormatMain}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RecordFormatBenchmark {
    private static final int BATCH_BYTES = 256 * 1024;
    private static final int DISTINCT_PAYLOADS = 1024;

    @Param({"producer-performance", "bridge"})
    public String format;

    @Param({"zstd", "none"})
    public String compression;

    private final ByteBuffer buffer = ByteBuffer.allocate(BATCH_BYTES + 64 * 1024);
    private SpoolRecord[] records;
    private RecordMapper mapper;
    private Compression codec;
    private MemoryRecordsBuilder batch;
    private boolean bridgeFormat; // from format, decided once in setUp rather than on every append
    private int next;
    /** Wire bytes of closed batches and their records, for the bytes-per-record column. */
    long closedBytes;
    long closedRecords;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        records = new SpoolRecord[DISTINCT_PAYLOADS];
        for (int i = 0; i < records.length; i++) {
            records[i] = DrainHarness.benchRecord(i, System.currentTimeMillis(), random);
        }
        bridgeFormat = switch (format) {
            case "bridge" -> true;
            case "producer-performance" -> false;
            default -> throw new IllegalArgumentException("format: bridge or producer-performance, not '" + format
                    + "'");
        };
        mapper = new RecordMapper(DrainHarness.bridgeConfig("127.0.0.1:9", "bench",
                BridgeConfig.Delivery.EXACTLY_ONCE), "bench-pi");
        codec = switch (compression) {
            case "zstd" -> Compression.zstd().build();
            case "none" -> Compression.NONE;
            default -> throw new IllegalArgumentException("compression: zstd or none, not '" + compression + "'");
        };
        batch = newBatch();
    }

    @Benchmark
    public void append() {
        SpoolRecord spooled = records[next++ & (DISTINCT_PAYLOADS - 1)];
        long timestamp = spooled.receivedAtMillis();
        if (bridgeFormat) {
            ProducerRecord<byte[], byte[]> record = mapper.map(spooled).orElseThrow();
            Header[] headers = record.headers().toArray();
            if (!batch.hasRoomFor(timestamp, record.key(), record.value(), headers)) {
                closeBatch();
            }
            batch.append(timestamp, record.key(), record.value(), headers);
        } else {
            if (!batch.hasRoomFor(timestamp, (byte[]) null, spooled.payload(), Record.EMPTY_HEADERS)) {
                closeBatch();
            }
            batch.append(timestamp, null, spooled.payload());
        }
    }

    private void closeBatch() {
        closedRecords += batch.numRecords();
        closedBytes += batch.build().sizeInBytes();
        batch = newBatch();
    }

    private MemoryRecordsBuilder newBatch() {
        buffer.clear();
        return MemoryRecords.builder(buffer, codec, TimestampType.CREATE_TIME, 0L);
    }
}
