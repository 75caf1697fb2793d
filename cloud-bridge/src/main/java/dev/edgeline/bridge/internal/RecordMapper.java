package dev.edgeline.bridge.internal;

import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.RecordEnvelope;
import dev.edgeline.config.Route;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Maps a spool record to its Kafka record: topic from the first matching route, key from the route's key template,
 * the payload unchanged, the record's arrival time as the Kafka timestamp, and headers: {@code device},
 * {@code stream}, {@code boot}, {@code seq}, {@code mqtt_topic}, {@code clock_synced} and CloudEvents-style
 * {@code ce_id}, {@code ce_source}, {@code ce_type}, {@code ce_time} (RFC 3339, UTC, milliseconds: the reading's
 * time, its payload's {@code ts}, when it has one, else the arrival time), {@code ce_specversion},
 * {@code content-type} ({@code application/json} for well-formed JSON, else {@code application/octet-stream}) and,
 * for the payloads we write, {@code ce_dataschema} (the URI of its published JSON Schema). A route with
 * {@code headers: identity} gets the first four only. Caches what is constant per stream (key, topic, constant
 * headers), so it is confined to one thread (the bridge thread).
 */
public final class RecordMapper {
    public static final String CE_TYPE = "dev.edgeline.reading";
    public static final String CE_TYPE_GAP = "dev.edgeline.gap";
    private final BridgeConfig config;
    private final String gatewayDevice;
    private final JsonPayload payload = new JsonPayload();

    /** A mapper for the bridge of {@code gatewayDevice} (records of its own agent and broker get a dataschema). */
    public RecordMapper(BridgeConfig config, String gatewayDevice) {
        this.config = config;
        this.gatewayDevice = gatewayDevice;
    }

    /**
     * What is the same for every record of one stream on one topic, computed once per stream: the topic, the key and
     * the constant headers (Kafka's producer only reads a record's headers, so one instance serves every record).
     */
    private record StreamConstants(String kafkaTopic, byte[] key, Route.Headers headers, Header device, Header stream,
                                   Header mqttTopic, Header ceSource, Header ceType, String ceIdPrefix) {}

    private static final Header CLOCK_SYNCED = header(RecordEnvelope.CLOCK_SYNCED, "true");
    private static final Header CLOCK_NOT_SYNCED = header(RecordEnvelope.CLOCK_SYNCED, "false");
    private static final Header SPEC_VERSION = header("ce_specversion", "1.0");
    private static final Header JSON = header(RecordEnvelope.CONTENT_TYPE, "application/json");
    private static final Header OCTETS = header(RecordEnvelope.CONTENT_TYPE, "application/octet-stream");
    private static final java.util.Map<RecordEnvelope.PayloadKind, Header> SCHEMAS =
            new java.util.EnumMap<>(RecordEnvelope.PayloadKind.class);

    static {
        for (RecordEnvelope.PayloadKind kind : RecordEnvelope.PayloadKind.values()) {
            SCHEMAS.put(kind, header(RecordEnvelope.DATASCHEMA, kind.schemaUri()));
        }
    }

    private static final int CACHE_LIMIT = 10_000;

    // Confined to the bridge thread, like the mapper's only caller.
    private final java.util.Map<StreamKey, StreamConstants> constants = new java.util.HashMap<>();
    private final CloudEventTime ceTime = new CloudEventTime();

    private record StreamKey(String mqttTopic, String device, String stream) {}

    /**
     * The Kafka record, or empty when no route matches (the record was spooled under another configuration). Gap
     * markers go to the gap topic, keyed {@code device/$gap/lane}. Not thread-safe (per-stream values are cached).
     */
    public Optional<ProducerRecord<byte[], byte[]>> map(SpoolRecord record) {
        boolean gap = record.kind() == RecordKind.GAP;
        StreamKey streamKey = new StreamKey(record.mqttTopic(), record.device(), record.stream());
        StreamConstants stream = constants.get(streamKey);
        if (stream == null) {
            Optional<Route> route = gap ? Optional.empty() : config.routeFor(record.mqttTopic());
            if (!gap && route.isEmpty()) {
                return Optional.empty();
            }
            String topic = gap ? config.gapTopic() : route.get().kafkaTopic();
            String key = gap ? record.device() + "/" + record.stream()
                    : route.get().keyTemplate().render(record.device(), record.stream(), record.mqttTopic());
            stream = new StreamConstants(topic, utf8(key), gap ? Route.Headers.FULL : route.get().headers(),
                    header(RecordEnvelope.DEVICE, record.device()),
                    header(RecordEnvelope.STREAM, record.stream()), header(RecordEnvelope.MQTT_TOPIC,
                    record.mqttTopic()), header("ce_source", "edge://" + record.device() + "/" + record.stream()),
                    header("ce_type", gap ? CE_TYPE_GAP : CE_TYPE), record.device() + "/" + record.stream() + "/");
            if (constants.size() >= CACHE_LIMIT) {
                constants.clear();
            }
            constants.put(streamKey, stream);
        }
        String boot = Long.toString(record.boot());
        String seq = Long.toString(record.seq());
        RecordHeaders headers = new RecordHeaders();
        headers.add(stream.device());
        headers.add(stream.stream());
        headers.add(RecordEnvelope.BOOT, utf8(boot));
        headers.add(RecordEnvelope.SEQ, utf8(seq));
        if (stream.headers() == Route.Headers.IDENTITY) { // the payload is not even scanned: nothing else needs it
            return Optional.of(new ProducerRecord<>(stream.kafkaTopic(), null, record.receivedAtMillis(),
                    stream.key(), record.payload(), headers));
        }
        headers.add(stream.mqttTopic());
        headers.add(record.clockSynced() ? CLOCK_SYNCED : CLOCK_NOT_SYNCED);
        headers.add(SPEC_VERSION);
        headers.add("ce_id", utf8(stream.ceIdPrefix() + boot + "/" + seq));
        headers.add(stream.ceSource());
        headers.add(stream.ceType());
        boolean json = payload.scan(record.payload());
        headers.add(json ? JSON : OCTETS);
        headers.add("ce_time", ceTime.format(json && payload.ts().isPresent() ? payload.ts().getAsLong()
                : record.receivedAtMillis()));
        if (json) {
            kindOf(record).ifPresent(kind -> headers.add(SCHEMAS.get(kind)));
        }
        return Optional.of(new ProducerRecord<>(stream.kafkaTopic(), null, record.receivedAtMillis(), stream.key(),
                record.payload(), headers));
    }

    /**
     * The published schema a payload follows: ours only (gap markers, the broker's health events, the agent's
     * readings and health records); a third-party device's payload has none.
     */
    private java.util.Optional<RecordEnvelope.PayloadKind> kindOf(SpoolRecord record) {
        if (record.kind() == RecordKind.GAP) {
            return java.util.Optional.of(RecordEnvelope.PayloadKind.GAP);
        }
        if (!record.device().equals(gatewayDevice) || !payload.isObject()) {
            return java.util.Optional.empty();
        }
        if (record.stream().equals(RecordEnvelope.BROKER_HEALTH_STREAM)) {
            return java.util.Optional.of(RecordEnvelope.PayloadKind.BROKER_HEALTH);
        }
        if (payload.ts().isEmpty()) {
            return java.util.Optional.empty(); // not the agent's: something else publishing under the gateway's id
        }
        return java.util.Optional.of(payload.hasValue() ? RecordEnvelope.PayloadKind.READING
                : RecordEnvelope.PayloadKind.HEALTH);
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, utf8(value));
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
