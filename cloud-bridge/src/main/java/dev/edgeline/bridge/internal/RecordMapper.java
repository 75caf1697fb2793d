package dev.edgeline.bridge.internal;

import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.RecordEnvelope;
import dev.edgeline.config.Route;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Maps a spool record to its Kafka record: topic from the first matching route, key from the route's key template,
 * the payload unchanged, the record's arrival time as the Kafka timestamp, and headers: {@code device},
 * {@code stream}, {@code boot}, {@code seq}, {@code mqtt_topic}, {@code clock_synced} and CloudEvents-style
 * {@code ce_id}, {@code ce_source}, {@code ce_type}, {@code ce_time}, {@code ce_specversion}. Stateless, thread-safe.
 */
public final class RecordMapper {
    public static final String CE_TYPE = "dev.edgeline.reading";
    public static final String CE_TYPE_GAP = "dev.edgeline.gap";
    private final BridgeConfig config;

    public RecordMapper(BridgeConfig config) {
        this.config = config;
    }

    /**
     * The Kafka record, or empty when no route matches (the record was spooled under another configuration). Gap
     * markers go to the gap topic, keyed {@code device/$gap/lane}.
     */
    public Optional<ProducerRecord<byte[], byte[]>> map(SpoolRecord record) {
        boolean gap = record.kind() == RecordKind.GAP;
        Optional<Route> route = gap ? Optional.empty() : config.routeFor(record.mqttTopic());
        if (!gap && route.isEmpty()) {
            return Optional.empty();
        }
        String topic = gap ? config.gapTopic() : route.get().kafkaTopic();
        String key = gap ? record.device() + "/" + record.stream()
                : route.get().keyTemplate().render(record.device(), record.stream(), record.mqttTopic());
        RecordHeaders headers = new RecordHeaders();
        header(headers, RecordEnvelope.DEVICE, record.device());
        header(headers, RecordEnvelope.STREAM, record.stream());
        header(headers, RecordEnvelope.BOOT, Long.toString(record.boot()));
        header(headers, RecordEnvelope.SEQ, Long.toString(record.seq()));
        header(headers, RecordEnvelope.MQTT_TOPIC, record.mqttTopic());
        header(headers, RecordEnvelope.CLOCK_SYNCED, Boolean.toString(record.clockSynced()));
        header(headers, "ce_specversion", "1.0");
        header(headers, "ce_id", record.device() + "/" + record.stream() + "/" + record.boot() + "/" + record.seq());
        header(headers, "ce_source", "edge://" + record.device() + "/" + record.stream());
        header(headers, "ce_type", gap ? CE_TYPE_GAP : CE_TYPE);
        header(headers, "ce_time", Instant.ofEpochMilli(record.receivedAtMillis()).toString());
        return Optional.of(new ProducerRecord<>(topic, null, record.receivedAtMillis(),
                key.getBytes(StandardCharsets.UTF_8), record.payload(), headers));
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
