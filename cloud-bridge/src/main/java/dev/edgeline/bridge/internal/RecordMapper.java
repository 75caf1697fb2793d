package dev.edgeline.bridge.internal;

import dev.edgeline.broker.sparkplug.SparkplugIngest;
import dev.edgeline.broker.sparkplug.SparkplugTopic;
import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.RecordEnvelope;
import dev.edgeline.config.Route;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Maps a spool record to its Kafka record: topic from the first matching route, key from the route's key template,
 * and the record's attributes in one of the route's two formats.
 *
 * <p>{@code format: binary} (the default, CloudEvents binary content mode): the payload unchanged as the value, and
 * headers {@code device}, {@code stream}, {@code boot}, {@code seq}, {@code mqtt_topic}, {@code clock_synced} and
 * CloudEvents-style {@code ce_id}, {@code ce_source} ({@link CloudEventSource}), {@code ce_type} (per payload kind,
 * {@link #ceType}), {@code ce_time} (RFC 3339, UTC, milliseconds: the reading's time, its payload's {@code ts}, when
 * it has one, else the arrival time), {@code ce_specversion}, {@code content-type} ({@code application/json} for
 * well-formed JSON, else {@code application/octet-stream}) and, for the payloads we write, {@code ce_dataschema} (the
 * URI of its published JSON Schema). A route with {@code headers: identity} gets the first four only.
 *
 * <p>{@code format: structured}: one CloudEvents JSON object with all of the above ({@link StructuredEvent}), and the
 * four identity headers with {@code content-type: application/cloudevents+json}.
 *
 * <p>{@code format: connect}: Kafka Connect's JSON with schema ({@link ConnectRecord}), for sinks that need typed
 * columns, with the four identity headers and {@code content-type: application/json}.
 *
 * <p>The Kafka timestamp is the arrival time or the reading's time as the route says ({@link Route.Timestamp}), and
 * left to the producer (the time of sending) for a record whose clock was not synchronised.
 *
 * <p>Caches what is constant per stream (key, topic, constant headers), so it is confined to one thread (the bridge
 * thread).
 */
public final class RecordMapper {
    /** {@code ce_type} of a payload we did not write (a third-party device's, carried unchanged). */
    public static final String CE_TYPE_DEVICE_DATA = "dev.edgeline.device-data";
    /** {@code ce_type} of the agent's readings. */
    public static final String CE_TYPE = RecordEnvelope.PayloadKind.READING.ceType();
    /** {@code ce_type} of gap markers. */
    public static final String CE_TYPE_GAP = RecordEnvelope.PayloadKind.GAP.ceType();
    /** The content type of a structured record's value. */
    public static final String CLOUDEVENTS_JSON = "application/cloudevents+json";
    /**
     * How far ahead of its arrival a reading's own time may be and still become the Kafka timestamp: Kafka refuses
     * records timestamped more than {@code message.timestamp.after.max.ms} (one hour by default) ahead of its clock.
     */
    static final long MAX_READING_AHEAD_MILLIS = 60_000;

    private final BridgeConfig config;
    private final String gatewayDevice;
    private final JsonPayload payload = new JsonPayload();
    private final StructuredEvent structured = new StructuredEvent();
    private final ConnectRecord connect = new ConnectRecord();

    /** A mapper for the bridge of {@code gatewayDevice} (records of its own agent and broker get a dataschema). */
    public RecordMapper(BridgeConfig config, String gatewayDevice) {
        this.config = config;
        this.gatewayDevice = gatewayDevice;
    }

    /**
     * What is the same for every record of one stream on one topic, computed once per stream: the topic, the key, the
     * constant headers (Kafka's producer only reads a record's headers, so one instance serves every record) and the
     * constant part of a structured event.
     */
    private record StreamConstants(String kafkaTopic, byte[] key, Route.Headers headers, Route.Format format,
                                   Route.Timestamp timestamp, Header device, Header stream, Header mqttTopic,
                                   Header ceSource, String ceIdPrefix, StructuredEvent.Stream structured,
                                   ConnectRecord.Stream connect, Optional<RecordEnvelope.PayloadKind> sparkplug) {}

    private static final Header CLOCK_SYNCED = header(RecordEnvelope.CLOCK_SYNCED, "true");
    private static final Header CLOCK_NOT_SYNCED = header(RecordEnvelope.CLOCK_SYNCED, "false");
    private static final Header SPEC_VERSION = header("ce_specversion", "1.0");
    private static final Header JSON = header(RecordEnvelope.CONTENT_TYPE, "application/json");
    private static final Header OCTETS = header(RecordEnvelope.CONTENT_TYPE, "application/octet-stream");
    private static final Header CLOUDEVENTS = header(RecordEnvelope.CONTENT_TYPE, CLOUDEVENTS_JSON);
    private static final Header CONNECT_JSON = header(RecordEnvelope.CONTENT_TYPE, "application/json");
    private static final Header DEVICE_DATA = header("ce_type", CE_TYPE_DEVICE_DATA);
    private static final Map<RecordEnvelope.PayloadKind, Header> SCHEMAS = new EnumMap<>(RecordEnvelope.PayloadKind.class);
    private static final Map<RecordEnvelope.PayloadKind, Header> TYPES = new EnumMap<>(RecordEnvelope.PayloadKind.class);

    static {
        for (RecordEnvelope.PayloadKind kind : RecordEnvelope.PayloadKind.values()) {
            SCHEMAS.put(kind, header(RecordEnvelope.DATASCHEMA, kind.schemaUri()));
            TYPES.put(kind, header("ce_type", kind.ceType()));
        }
    }

    private static final int CACHE_LIMIT = 10_000;

    // Confined to the bridge thread, like the mapper's only caller.
    private final Map<StreamKey, StreamConstants> constants = new HashMap<>();
    private final CloudEventTime ceTime = new CloudEventTime();

    private record StreamKey(String mqttTopic, String device, String stream) {}

    /**
     * The Kafka record, or empty when no route matches (the record was spooled under another configuration). Gap
     * markers go to the gap topic, keyed {@code device/$gap/lane}. Not thread-safe (per-stream values are cached).
     */
    public Optional<ProducerRecord<byte[], byte[]>> map(SpoolRecord record) {
        StreamConstants stream = constantsOf(record);
        if (stream == null) {
            return Optional.empty();
        }
        String boot = Long.toString(record.boot());
        String seq = Long.toString(record.seq());
        RecordHeaders headers = new RecordHeaders();
        headers.add(stream.device());
        headers.add(stream.stream());
        headers.add(RecordEnvelope.BOOT, utf8(boot));
        headers.add(RecordEnvelope.SEQ, utf8(seq));
        if (stream.headers() == Route.Headers.IDENTITY && stream.timestamp() == Route.Timestamp.ARRIVAL) {
            // the payload is not even scanned: nothing else needs it
            return Optional.of(new ProducerRecord<>(stream.kafkaTopic(), null, kafkaTimestamp(record, stream, false),
                    stream.key(), record.payload(), headers));
        }
        boolean json = payload.scan(record.payload());
        Long timestamp = kafkaTimestamp(record, stream, json);
        if (stream.headers() == Route.Headers.IDENTITY) {
            return Optional.of(new ProducerRecord<>(stream.kafkaTopic(), null, timestamp, stream.key(),
                    record.payload(), headers));
        }
        Optional<RecordEnvelope.PayloadKind> kind = json ? kindOf(record, stream) : Optional.empty();
        long timeMillis = json && payload.ts().isPresent() ? payload.ts().getAsLong() : record.receivedAtMillis();
        if (stream.format() == Route.Format.CONNECT) {
            headers.add(CONNECT_JSON);
            byte[] value = connect.write(stream.connect(), record.boot(), record.seq(),
                    kind.map(RecordEnvelope.PayloadKind::ceType).orElse(CE_TYPE_DEVICE_DATA), timeMillis,
                    record.receivedAtMillis(), record.clockSynced(), json,
                    kind.map(RecordEnvelope.PayloadKind::schemaUri).orElse(null), record.payload());
            return Optional.of(new ProducerRecord<>(stream.kafkaTopic(), null, timestamp, stream.key(), value,
                    headers));
        }
        byte[] time = ceTime.format(timeMillis);
        if (stream.format() == Route.Format.STRUCTURED) {
            headers.add(CLOUDEVENTS);
            byte[] value = structured.write(stream.structured(), boot, seq,
                    kind.map(RecordEnvelope.PayloadKind::ceType).orElse(CE_TYPE_DEVICE_DATA), time,
                    record.clockSynced(), json, kind.map(RecordEnvelope.PayloadKind::schemaUri).orElse(null),
                    record.payload());
            return Optional.of(new ProducerRecord<>(stream.kafkaTopic(), null, timestamp, stream.key(), value,
                    headers));
        }
        headers.add(stream.mqttTopic());
        headers.add(record.clockSynced() ? CLOCK_SYNCED : CLOCK_NOT_SYNCED);
        headers.add(SPEC_VERSION);
        headers.add("ce_id", utf8(stream.ceIdPrefix() + boot + "/" + seq));
        headers.add(stream.ceSource());
        headers.add(kind.map(TYPES::get).orElse(DEVICE_DATA));
        headers.add(json ? JSON : OCTETS);
        headers.add("ce_time", time);
        kind.ifPresent(k -> headers.add(SCHEMAS.get(k)));
        return Optional.of(new ProducerRecord<>(stream.kafkaTopic(), null, timestamp, stream.key(),
                record.payload(), headers));
    }

    private StreamConstants constantsOf(SpoolRecord record) {
        boolean gap = record.kind() == RecordKind.GAP;
        StreamKey streamKey = new StreamKey(record.mqttTopic(), record.device(), record.stream());
        StreamConstants stream = constants.get(streamKey);
        if (stream != null) {
            return stream;
        }
        Optional<Route> route = gap ? Optional.empty() : config.routeFor(record.mqttTopic());
        if (!gap && route.isEmpty()) {
            return null;
        }
        String topic = gap ? config.gapTopic() : route.get().kafkaTopic();
        String key = gap ? record.device() + "/" + record.stream()
                : route.get().keyTemplate().render(record.device(), record.stream(), record.mqttTopic());
        String source = CloudEventSource.of(record.device(), record.stream());
        Route.Format format = gap ? Route.Format.BINARY : route.get().format();
        stream = new StreamConstants(topic, utf8(key), gap ? Route.Headers.FULL : route.get().headers(),
                format,
                gap ? Route.Timestamp.ARRIVAL : route.get().timestamp(),
                header(RecordEnvelope.DEVICE, record.device()), header(RecordEnvelope.STREAM, record.stream()),
                header(RecordEnvelope.MQTT_TOPIC, record.mqttTopic()), header("ce_source", source),
                record.device() + "/" + record.stream() + "/",
                // only the value writer of the route's format: the others would be built for nothing, per stream
                format == Route.Format.STRUCTURED
                        ? new StructuredEvent.Stream(record.device(), record.stream(), record.mqttTopic(), source) : null,
                format == Route.Format.CONNECT
                        ? new ConnectRecord.Stream(record.device(), record.stream(), record.mqttTopic(), source) : null,
                sparkplugKind(record));
        if (constants.size() >= CACHE_LIMIT) {
            constants.clear();
        }
        constants.put(streamKey, stream);
        return stream;
    }

    /**
     * The Kafka timestamp: null (the producer's time of sending) when the record's clock was not synchronised, else
     * the arrival time or, for a reading-time route, the payload's {@code ts} unless it lies ahead of the arrival.
     */
    private Long kafkaTimestamp(SpoolRecord record, StreamConstants stream, boolean scannedJson) {
        if (!record.clockSynced()) {
            return null;
        }
        if (stream.timestamp() == Route.Timestamp.READING && scannedJson && payload.ts().isPresent()
                && payload.ts().getAsLong() <= record.receivedAtMillis() + MAX_READING_AHEAD_MILLIS) {
            return payload.ts().getAsLong();
        }
        return record.receivedAtMillis();
    }

    /**
     * The published schema a payload follows: ours only (gap markers, the broker's health events, the agent's
     * readings and health records); a third-party device's payload has none. Call after a scan that found JSON.
     */
    private Optional<RecordEnvelope.PayloadKind> kindOf(SpoolRecord record, StreamConstants stream) {
        if (record.kind() == RecordKind.GAP) {
            return Optional.of(RecordEnvelope.PayloadKind.GAP);
        }
        if (!payload.isObject()) {
            return Optional.empty();
        }
        if (stream.sparkplug().isPresent()) {
            return stream.sparkplug();
        }
        if (!record.device().equals(gatewayDevice)) {
            return Optional.empty();
        }
        if (record.stream().equals(RecordEnvelope.BROKER_HEALTH_STREAM)) {
            return Optional.of(RecordEnvelope.PayloadKind.BROKER_HEALTH);
        }
        if (payload.ts().isEmpty()) {
            return Optional.empty(); // not the agent's: something else publishing under the gateway's id
        }
        return Optional.of(payload.hasValue() ? RecordEnvelope.PayloadKind.READING : RecordEnvelope.PayloadKind.HEALTH);
    }

    /**
     * The kind of a stream the broker decoded from a Sparkplug message (its topic an edge node's, its device under
     * this gateway), once per stream: a metric, or the node's {@code $state}.
     */
    private Optional<RecordEnvelope.PayloadKind> sparkplugKind(SpoolRecord record) {
        if (record.kind() == RecordKind.GAP || !record.device().startsWith(gatewayDevice + "/")
                || SparkplugTopic.parse(record.mqttTopic()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(record.stream().equals(SparkplugIngest.STATE_STREAM)
                ? RecordEnvelope.PayloadKind.SPARKPLUG_STATE : RecordEnvelope.PayloadKind.SPARKPLUG_METRIC);
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, utf8(value));
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
