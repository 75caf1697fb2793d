package dev.edgeline.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.KeyTemplate;
import dev.edgeline.config.Route;
import dev.edgeline.config.TopicFilter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class RecordMapperTest {
    private final BridgeConfig config = new BridgeConfig("127.0.0.1:9092", List.of(
            new Route(TopicFilter.parse("edge/+/alarm"), "alarms", KeyTemplate.parse("{device}"), "alarm"),
            new Route(TopicFilter.parse("edge/#"), "readings", KeyTemplate.parse(KeyTemplate.DEFAULT), "telemetry")),
            500, Duration.ofSeconds(1), "edge.gaps");
    private final RecordMapper mapper = new RecordMapper(config, "pi-1");

    private static SpoolRecord record(String stream) {
        return new SpoolRecord("pi-1", stream, 3, 42, "edge/pi-1/" + stream, true, 1_763_805_600_000L,
                "{\"value\":1}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void firstMatchingRoute_choosesTopicAndKey_payloadPassesThrough() {
        ProducerRecord<byte[], byte[]> alarm = mapper.map(record("alarm")).orElseThrow();
        ProducerRecord<byte[], byte[]> reading = mapper.map(record("temperature")).orElseThrow();
        assertThat(alarm.topic()).isEqualTo("alarms");
        assertThat(new String(alarm.key(), StandardCharsets.UTF_8)).isEqualTo("pi-1");
        assertThat(reading.topic()).isEqualTo("readings");
        assertThat(new String(reading.key(), StandardCharsets.UTF_8)).isEqualTo("pi-1/temperature");
        assertThat(new String(reading.value(), StandardCharsets.UTF_8)).isEqualTo("{\"value\":1}");
        assertThat(reading.timestamp()).isEqualTo(1_763_805_600_000L);
    }

    @Test
    void headers_carryIdentityAndCloudEventsAttributes() {
        Map<String, String> headers = new HashMap<>();
        for (Header h : mapper.map(record("temperature")).orElseThrow().headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        assertThat(headers).containsEntry("device", "pi-1").containsEntry("stream", "temperature")
                .containsEntry("boot", "3").containsEntry("seq", "42")
                .containsEntry("mqtt_topic", "edge/pi-1/temperature").containsEntry("clock_synced", "true")
                .containsEntry("ce_specversion", "1.0").containsEntry("ce_id", "pi-1/temperature/3/42")
                .containsEntry("ce_source", "edge://pi-1/temperature").containsEntry("ce_type", RecordMapper.CE_TYPE)
                .containsEntry("ce_time", "2025-11-22T10:00:00.000Z");
    }

    @Test
    void gapMarker_goesToTheGapTopic_withItsOwnType() {
        SpoolRecord gap = new SpoolRecord("pi-1", "$gap/bulk", 0, 4096, "$edge/gap/bulk", false, 0,
                "{\"gap\":true}".getBytes(StandardCharsets.UTF_8), dev.edgeline.broker.spool.RecordKind.GAP);
        ProducerRecord<byte[], byte[]> mapped = mapper.map(gap).orElseThrow();
        assertThat(mapped.topic()).isEqualTo("edge.gaps");
        assertThat(new String(mapped.key(), StandardCharsets.UTF_8)).isEqualTo("pi-1/$gap/bulk");
        assertThat(new String(mapped.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8))
                .isEqualTo(RecordMapper.CE_TYPE_GAP);
    }

    @Test
    void recordWithoutRoute_isNotMapped() {
        SpoolRecord other = new SpoolRecord("x", "y", 1, 1, "other/topic", false, 0, new byte[0]);
        assertThat(mapper.map(other)).isEmpty();
    }

    private static Map<String, String> headersOf(SpoolRecord record, RecordMapper mapper) {
        Map<String, String> headers = new HashMap<>();
        for (Header h : mapper.map(record).orElseThrow().headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }

    @Test
    void anAgentReading_isJson_withItsSchema_andCeTimeIsTheReadingsTimeNotTheArrival() {
        SpoolRecord reading = new SpoolRecord("pi-1", "temperature", 3, 43, "edge/pi-1/temperature", true,
                1_763_805_600_000L, ("{\"value\":21.5,\"unit\":\"°C\",\"ts\":\"2025-11-22T09:59:58.25Z\","
                + "\"mono_ms\":81234,\"clock_synced\":true}").getBytes(StandardCharsets.UTF_8));
        assertThat(headersOf(reading, mapper)).containsEntry("content-type", "application/json")
                .containsEntry("ce_time", "2025-11-22T09:59:58.250Z")
                .containsEntry("ce_dataschema", "https://edgeline.dev/schemas/payload/reading.schema.json");
    }

    @Test
    void healthAndBrokerHealthAndGapMarkers_nameTheirSchemas() {
        SpoolRecord health = new SpoolRecord("pi-1", "health", 3, 1, "edge/pi-1/health", true, 0,
                "{\"sensor\":\"env\",\"state\":\"failing\",\"ts\":\"2025-11-22T09:59:58Z\",\"mono_ms\":1,\"clock_synced\":true}"
                        .getBytes(StandardCharsets.UTF_8));
        SpoolRecord brokerHealth = new SpoolRecord("pi-1", "broker-health", 9, 0, "edge/pi-1/broker-health", false, 0,
                "{\"event\":\"identity-jump-refused\",\"suppressed_since_last\":0}".getBytes(StandardCharsets.UTF_8));
        SpoolRecord gap = new SpoolRecord("pi-1", "$gap/bulk", 0, 4096, "$edge/gap/bulk", false, 0,
                "{\"gap\":true}".getBytes(StandardCharsets.UTF_8), dev.edgeline.broker.spool.RecordKind.GAP);
        assertThat(headersOf(health, mapper)).containsEntry("ce_dataschema",
                "https://edgeline.dev/schemas/payload/health.schema.json");
        assertThat(headersOf(brokerHealth, mapper)).containsEntry("ce_dataschema",
                "https://edgeline.dev/schemas/payload/broker-health.schema.json");
        assertThat(headersOf(gap, mapper)).containsEntry("ce_dataschema",
                "https://edgeline.dev/schemas/payload/gap.schema.json").containsEntry("content-type", "application/json");
    }

    @Test
    void aThirdPartyPayload_keepsItsBytes_isOctetsUnlessJson_andHasNoSchema() {
        SpoolRecord text = new SpoolRecord("pi-1/esp32-kitchen", "lan/esp32-kitchen/t", 1, 0,
                "edge/esp32-kitchen/t", false, 1_763_805_600_000L, "21.5 C".getBytes(StandardCharsets.UTF_8));
        SpoolRecord json = new SpoolRecord("pi-1/esp32-kitchen", "lan/esp32-kitchen/t", 1, 1,
                "edge/esp32-kitchen/t", false, 1_763_805_600_000L,
                "{\"value\":21.5,\"ts\":\"2025-11-22T09:00:00Z\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(headersOf(text, mapper)).containsEntry("content-type", "application/octet-stream")
                .containsEntry("ce_time", "2025-11-22T10:00:00.000Z").doesNotContainKey("ce_dataschema");
        assertThat(headersOf(json, mapper)).containsEntry("content-type", "application/json")
                .containsEntry("ce_time", "2025-11-22T09:00:00.000Z").doesNotContainKey("ce_dataschema");
    }

    @Test
    void anIdentityRoute_carriesTheFourIdentityHeadersOnly_andTheSameKeyTimestampAndPayload() {
        BridgeConfig identity = new BridgeConfig("127.0.0.1:9092", List.of(new Route(TopicFilter.parse("edge/#"),
                "readings", KeyTemplate.parse(KeyTemplate.DEFAULT), "telemetry", Route.Headers.IDENTITY)),
                500, Duration.ofSeconds(1), "edge.gaps");
        RecordMapper compact = new RecordMapper(identity, "pi-1");
        SpoolRecord reading = record("temperature");
        ProducerRecord<byte[], byte[]> full = mapper.map(reading).orElseThrow();
        ProducerRecord<byte[], byte[]> mapped = compact.map(reading).orElseThrow();

        assertThat(headersOf(reading, compact)).containsExactlyInAnyOrderEntriesOf(Map.of("device", "pi-1",
                "stream", "temperature", "boot", "3", "seq", "42"));
        assertThat(mapped.key()).isEqualTo(full.key());
        assertThat(mapped.timestamp()).isEqualTo(full.timestamp());
        assertThat(mapped.value()).isSameAs(reading.payload());
        assertThat(mapped.topic()).isEqualTo("readings");
    }

    @Test
    void gapMarkers_keepTheFullEnvelope_whateverTheRoutesSay() {
        BridgeConfig identity = new BridgeConfig("127.0.0.1:9092", List.of(new Route(TopicFilter.parse("edge/#"),
                "readings", KeyTemplate.parse(KeyTemplate.DEFAULT), "telemetry", Route.Headers.IDENTITY)),
                500, Duration.ofSeconds(1), "edge.gaps");
        SpoolRecord gap = new SpoolRecord("pi-1", "$gap/telemetry", 0, 4096, "$edge/gap/telemetry", false, 0,
                "{\"gap\":true}".getBytes(StandardCharsets.UTF_8), dev.edgeline.broker.spool.RecordKind.GAP);
        assertThat(headersOf(gap, new RecordMapper(identity, "pi-1"))).containsKeys("ce_type", "ce_dataschema",
                "mqtt_topic");
    }
}
