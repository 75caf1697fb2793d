package dev.edgeline.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The cloud bridge: where the spooled streams go in Kafka.
 *
 * @param bootstrapServers Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param routes           MQTT topic filter to Kafka topic rules; the first matching rule wins, and a publish
 *                         whose topic matches no rule is not spooled or bridged
 * @param batchRecords     most spool records forwarded in one batch
 * @param retryBackoffMax  upper bound of the jittered backoff while Kafka is unreachable
 * @param gapTopic         Kafka topic for gap markers (records that state what the spool lost and why)
 * @param delivery         exactly once (transactions with the checkpoint in Kafka) or at least once
 * @param checkpointTopic  compacted Kafka topic holding each device's bridge checkpoint (exactly-once mode)
 * @param compression      producer compression: zstd, lz4, snappy, gzip or none
 * @param security         TLS and SASL towards the cluster
 * @param maxBytesPerSecond cap on the bytes the bridge sends per second (0: no cap), for metered links
 * @param maxRecordBytes   the largest payload the broker accepts ({@code broker.max-record-bytes}); the producer's
 *                         request limit is set above it so that the client never refuses a record the broker took
 * @param commands         cloud-to-device commands ({@code kafka.commands})
 */
public record BridgeConfig(
        String bootstrapServers,
        List<Route> routes,
        int batchRecords,
        Duration retryBackoffMax,
        String gapTopic,
        Delivery delivery,
        String checkpointTopic,
        String compression,
        KafkaSecurity security,
        long maxBytesPerSecond,
        int maxRecordBytes,
        CommandsConfig commands) {

    /** Default of {@code broker.max-record-bytes}: below Kafka's default message.max.bytes (1,048,588). */
    public static final int DEFAULT_MAX_RECORD_BYTES = ConfigSchema.key("broker.max-record-bytes").defaultInt();
    /** What a record's key, headers and framing may add to its payload in Kafka (topics are at most 1,024 bytes). */
    public static final int RECORD_OVERHEAD_BYTES = 16 * 1024;

    public BridgeConfig(String bootstrapServers, List<Route> routes, int batchRecords, Duration retryBackoffMax,
                        String gapTopic, Delivery delivery, String checkpointTopic, String compression,
                        KafkaSecurity security, long maxBytesPerSecond) {
        this(bootstrapServers, routes, batchRecords, retryBackoffMax, gapTopic, delivery, checkpointTopic,
                compression, security, maxBytesPerSecond, DEFAULT_MAX_RECORD_BYTES);
    }

    /** Without commands. */
    public BridgeConfig(String bootstrapServers, List<Route> routes, int batchRecords, Duration retryBackoffMax,
                        String gapTopic, Delivery delivery, String checkpointTopic, String compression,
                        KafkaSecurity security, long maxBytesPerSecond, int maxRecordBytes) {
        this(bootstrapServers, routes, batchRecords, retryBackoffMax, gapTopic, delivery, checkpointTopic,
                compression, security, maxBytesPerSecond, maxRecordBytes, CommandsConfig.disabled());
    }

    /** The delivery guarantee into Kafka. */
    public enum Delivery {
        /**
         * Each batch and the spool positions after it are committed in one Kafka transaction; after a crash the bridge
         * resumes from the committed checkpoint. A read_committed consumer sees every record once.
         */
        EXACTLY_ONCE,
        /**
         * Idempotent producer, spool cursor advanced after Kafka's ack. Cheaper (no transaction markers, visible to
         * read_uncommitted consumers at once) but a crash or failed batch can resend records Kafka already had.
         */
        AT_LEAST_ONCE
    }

    /** The delivery, checkpoint topic and compression the YAML defaults to (for tests and tools). */
    public BridgeConfig(String bootstrapServers, List<Route> routes, int batchRecords, Duration retryBackoffMax,
                        String gapTopic) {
        this(bootstrapServers, routes, batchRecords, retryBackoffMax, gapTopic, Delivery.EXACTLY_ONCE,
                ConfigSchema.key("kafka.checkpoint-topic").defaultString(),
                ConfigSchema.key("kafka.compression").defaultString(), KafkaSecurity.plaintext(), 0);
    }

    public BridgeConfig {
        routes = List.copyOf(routes);
    }

    /**
     * The largest Kafka record (value, key and headers) a spooled record can become: its payload and
     * {@link #RECORD_OVERHEAD_BYTES}, and on a {@code format: structured} route the payload base64-encoded inside a
     * JSON object whose attributes may take as much again. The producer's request limit and the data topics'
     * {@code max.message.bytes} are at least this.
     */
    public int largestKafkaRecordBytes() {
        long value = maxRecordBytes;
        for (Route route : routes) {
            value = Math.max(value, switch (route.format()) {
                case BINARY -> maxRecordBytes;
                case STRUCTURED -> 4L * ((maxRecordBytes + 2L) / 3) + RECORD_OVERHEAD_BYTES; // base64
                case CONNECT -> 6L * maxRecordBytes + 2 * RECORD_OVERHEAD_BYTES; // control bytes as \\u00XX
            });
        }
        return (int) Math.min(Integer.MAX_VALUE, value + RECORD_OVERHEAD_BYTES);
    }

    /** The first route whose filter matches {@code mqttTopic}, if any. */
    public Optional<Route> routeFor(String mqttTopic) {
        for (Route route : routes) {
            if (route.filter().matches(mqttTopic)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    /** Whether a publish on {@code mqttTopic} is bridged (and so must be spooled). */
    public boolean isBridged(String mqttTopic) {
        return routeFor(mqttTopic).isPresent();
    }
}
