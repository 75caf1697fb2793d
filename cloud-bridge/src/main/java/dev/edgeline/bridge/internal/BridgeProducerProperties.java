package dev.edgeline.bridge.internal;

import dev.edgeline.config.BridgeConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The bridge's Kafka producer settings: acks=all and idempotence, the configured compression, batches of up to
 * 256 KiB lingering 5 ms, bounded blocking and timeouts, reconnect backoff capped by the configured retry backoff, and
 * in exactly-once mode the {@code transactional.id} {@code edge-bridge-<device>}. One place, so that the drain
 * benchmark's bare producer sends with exactly the bridge's settings.
 */
public final class BridgeProducerProperties {
    private BridgeProducerProperties() {}

    /** Producer properties for {@code deviceId}'s bridge, with {@code security} (from {@link SecurityProperties}). */
    public static Properties of(BridgeConfig config, String deviceId, Map<String, Object> security) {
        Properties p = new Properties();
        p.putAll(security);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "edge-bridge-" + deviceId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // Never below what the broker accepts at the MQTT door: the client must not refuse a record the device took.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Math.max(1 << 20, config.largestKafkaRecordBytes()));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
                (int) Math.min(10_000, config.retryBackoffMax().toMillis()));
        if (config.delivery() == BridgeConfig.Delivery.EXACTLY_ONCE) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "edge-bridge-" + deviceId);
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        }
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }
}
