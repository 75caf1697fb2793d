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
                .containsEntry("ce_source", "edge://pi-1/temperature")
                .containsEntry("ce_type", RecordMapper.CE_TYPE_DEVICE_DATA) // no ts: not an agent reading
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

    private static final String AGENT_READING = "{\"value\":21.5,\"unit\":\"°C\",\"ts\":\"2025-11-22T09:59:58.25Z\","
            + "\"mono_ms\":81234,\"clock_synced\":true}";

    private static SpoolRecord agentReading(boolean clockSynced, String payload) {
        return new SpoolRecord("pi-1", "temperature", 3, 43, "edge/pi-1/temperature", clockSynced,
                1_763_805_600_000L, payload.getBytes(StandardCharsets.UTF_8));
    }

    private static RecordMapper mapperFor(Route.Headers headers, Route.Format format, Route.Timestamp timestamp) {
        return new RecordMapper(new BridgeConfig("127.0.0.1:9092", List.of(new Route(TopicFilter.parse("#"),
                "readings", KeyTemplate.parse(KeyTemplate.DEFAULT), "telemetry", headers, format, timestamp)),
                500, Duration.ofSeconds(1), "edge.gaps"), "pi-1");
    }

    @Test
    void ceType_namesThePayloadKind_andThirdPartyDataIsDeviceData() {
        SpoolRecord health = new SpoolRecord("pi-1", "health", 3, 1, "edge/pi-1/health", true, 0,
                "{\"sensor\":\"env\",\"state\":\"failing\",\"ts\":\"2025-11-22T09:59:58Z\",\"mono_ms\":1,\"clock_synced\":true}"
                        .getBytes(StandardCharsets.UTF_8));
        SpoolRecord brokerHealth = new SpoolRecord("pi-1", "broker-health", 9, 0, "edge/pi-1/broker-health", false, 0,
                "{\"event\":\"identity-jump-refused\"}".getBytes(StandardCharsets.UTF_8));
        SpoolRecord thirdPartyJson = new SpoolRecord("pi-1/esp32", "lan/esp32/t", 1, 0, "lan/esp32/t", false, 0,
                "{\"value\":21.5,\"ts\":\"2025-11-22T09:00:00Z\"}".getBytes(StandardCharsets.UTF_8));
        SpoolRecord thirdPartyText = new SpoolRecord("pi-1/esp32", "lan/esp32/t", 1, 1, "lan/esp32/t", false, 0,
                "21.5".getBytes(StandardCharsets.UTF_8));
        RecordMapper mapper = mapperFor(Route.Headers.FULL, Route.Format.BINARY, Route.Timestamp.ARRIVAL);
        assertThat(headersOf(agentReading(true, AGENT_READING), mapper)).containsEntry("ce_type", "dev.edgeline.reading");
        assertThat(headersOf(health, mapper)).containsEntry("ce_type", "dev.edgeline.health");
        assertThat(headersOf(brokerHealth, mapper)).containsEntry("ce_type", "dev.edgeline.broker-health");
        assertThat(headersOf(thirdPartyJson, mapper)).containsEntry("ce_type", "dev.edgeline.device-data");
        assertThat(headersOf(thirdPartyText, mapper)).containsEntry("ce_type", "dev.edgeline.device-data");
    }

    @Test
    void ceSource_isAValidUri_forATopicWithASpace() throws Exception {
        SpoolRecord spaced = new SpoolRecord("demo-pi-0001/esp32-a", "lan/esp32-a/room temp", 1, 0,
                "lan/esp32-a/room temp", false, 0, "21".getBytes(StandardCharsets.UTF_8));
        String source = headersOf(spaced, mapperFor(Route.Headers.FULL, Route.Format.BINARY, Route.Timestamp.ARRIVAL))
                .get("ce_source");
        assertThat(source).isEqualTo("edge://demo-pi-0001/esp32-a/lan/esp32-a/room%20temp");
        java.net.URI uri = new java.net.URI(source);
        assertThat(uri.getScheme()).isEqualTo("edge");
        assertThat(uri.getAuthority()).isEqualTo("demo-pi-0001");
        assertThat(uri.getPath()).isEqualTo("/esp32-a/lan/esp32-a/room temp");
    }

    @Test
    void ceSource_isAValidUri_thatDecodesBackToDeviceAndStream_forRandomTopics() throws Exception {
        java.util.Random random = new java.util.Random(7);
        String alphabet = "ab/ %?#[]@:!$&'()*+,;=\"<>\\^`{|}~._-9Zé€😀\u0000\u007f";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder topic = new StringBuilder();
            for (int n = random.nextInt(1, 24); n > 0; n--) {
                topic.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0,
                        random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            }
            String source = CloudEventSource.of("pi-1/dev ice", topic.toString());
            java.net.URI uri = new java.net.URI(source); // throws URISyntaxException if not a valid URI
            assertThat(uri.getScheme()).isEqualTo("edge");
            assertThat(java.net.URLDecoder.decode(source.substring("edge://".length()).replace("+", "%2B"),
                    StandardCharsets.UTF_8)).isEqualTo("pi-1/dev ice/" + topic);
        }
    }

    @Test
    void kafkaTimestamp_isTheArrival_theReadingsTimeWhereTheRouteSaysSo_andTheSendTimeWhenTheClockWasNotSynced() {
        RecordMapper arrival = mapperFor(Route.Headers.FULL, Route.Format.BINARY, Route.Timestamp.ARRIVAL);
        RecordMapper reading = mapperFor(Route.Headers.FULL, Route.Format.BINARY, Route.Timestamp.READING);
        RecordMapper readingIdentity = mapperFor(Route.Headers.IDENTITY, Route.Format.BINARY, Route.Timestamp.READING);
        long readingTime = java.time.Instant.parse("2025-11-22T09:59:58.25Z").toEpochMilli();
        assertThat(arrival.map(agentReading(true, AGENT_READING)).orElseThrow().timestamp()).isEqualTo(1_763_805_600_000L);
        assertThat(reading.map(agentReading(true, AGENT_READING)).orElseThrow().timestamp()).isEqualTo(readingTime);
        assertThat(readingIdentity.map(agentReading(true, AGENT_READING)).orElseThrow().timestamp()).isEqualTo(readingTime);
        assertThat(reading.map(agentReading(true, "not json")).orElseThrow().timestamp())
                .as("no ts: the arrival").isEqualTo(1_763_805_600_000L);
        assertThat(reading.map(agentReading(true, AGENT_READING.replace("2025-11-22T09:59:58.25Z",
                "2025-11-22T10:05:00Z"))).orElseThrow().timestamp()).as("a ts ahead of the arrival: the arrival")
                .isEqualTo(1_763_805_600_000L);
        assertThat(arrival.map(agentReading(false, AGENT_READING)).orElseThrow().timestamp())
                .as("not synchronised: the producer's time of sending").isNull();
        assertThat(reading.map(agentReading(false, AGENT_READING)).orElseThrow().timestamp()).isNull();
    }

    @Test
    void aStructuredRoute_writesOneCloudEventsJsonObject_withIdentityAttributesAndThePayloadAsData() throws Exception {
        RecordMapper structured = mapperFor(Route.Headers.FULL, Route.Format.STRUCTURED, Route.Timestamp.ARRIVAL);
        ProducerRecord<byte[], byte[]> mapped = structured.map(agentReading(true, AGENT_READING)).orElseThrow();
        com.fasterxml.jackson.databind.JsonNode event = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(mapped.value());
        assertThat(event.get("specversion").asText()).isEqualTo("1.0");
        assertThat(event.get("id").asText()).isEqualTo("pi-1/temperature/3/43");
        assertThat(event.get("source").asText()).isEqualTo("edge://pi-1/temperature");
        assertThat(event.get("type").asText()).isEqualTo("dev.edgeline.reading");
        assertThat(event.get("time").asText()).isEqualTo("2025-11-22T09:59:58.250Z");
        assertThat(event.get("datacontenttype").asText()).isEqualTo("application/json");
        assertThat(event.get("dataschema").asText()).isEqualTo("https://edgeline.dev/schemas/payload/reading.schema.json");
        assertThat(event.get("device").asText()).isEqualTo("pi-1");
        assertThat(event.get("stream").asText()).isEqualTo("temperature");
        assertThat(event.get("boot").asText()).isEqualTo("3");
        assertThat(event.get("seq").asText()).isEqualTo("43");
        assertThat(event.get("mqtttopic").asText()).isEqualTo("edge/pi-1/temperature");
        assertThat(event.get("clocksynced").asBoolean()).isTrue();
        assertThat(event.get("data").get("value").asDouble()).isEqualTo(21.5);
        assertThat(event.get("data").get("unit").asText()).isEqualTo("°C");
        java.util.Iterator<String> names = event.fieldNames();
        while (names.hasNext()) {
            assertThat(names.next()).as("CloudEvents attribute names").matches("[a-z0-9]+|data_base64");
        }
        assertThat(headersOf(agentReading(true, AGENT_READING), structured)).containsExactlyInAnyOrderEntriesOf(
                Map.of("device", "pi-1", "stream", "temperature", "boot", "3", "seq", "43",
                        "content-type", "application/cloudevents+json"));
        assertThat(mapped.timestamp()).isEqualTo(1_763_805_600_000L);
    }

    @Test
    void aStructuredRoute_carriesBytesThatAreNotJsonOrNotUtf8_asBase64() throws Exception {
        RecordMapper structured = mapperFor(Route.Headers.FULL, Route.Format.STRUCTURED, Route.Timestamp.ARRIVAL);
        byte[] notUtf8 = {'"', (byte) 0xC0, (byte) 0xAF, '"'}; // well-formed JSON to the scanner, an overlong '/'
        byte[] text = "21.5 C \"quoted\"".getBytes(StandardCharsets.UTF_8);
        for (byte[] payload : List.of(notUtf8, text)) {
            SpoolRecord record = new SpoolRecord("pi-1/esp \"32\"", "lan/esp/room temp", 1, 0, "lan/esp/room temp",
                    false, 0, payload);
            com.fasterxml.jackson.databind.JsonNode event = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(structured.map(record).orElseThrow().value());
            assertThat(event.has("data")).isFalse();
            assertThat(java.util.Base64.getDecoder().decode(event.get("data_base64").asText())).isEqualTo(payload);
            assertThat(event.get("datacontenttype").asText()).isEqualTo("application/octet-stream");
            assertThat(event.get("type").asText()).isEqualTo("dev.edgeline.device-data");
            assertThat(event.get("device").asText()).isEqualTo("pi-1/esp \"32\"");
            assertThat(event.get("source").asText()).isEqualTo("edge://pi-1/esp%20%2232%22/lan/esp/room%20temp");
            assertThat(event.get("clocksynced").asBoolean()).isFalse();
        }
    }

    @Test
    void utf8Check_agreesWithTheJdksDecoder_onRandomBytes() {
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < 100_000; i++) {
            byte[] bytes = new byte[random.nextInt(0, 8)];
            for (int k = 0; k < bytes.length; k++) {
                bytes[k] = (byte) (random.nextBoolean() ? random.nextInt(0x80, 0x100) : random.nextInt(0, 0x100));
            }
            boolean jdk;
            try {
                StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
                jdk = true;
            } catch (java.nio.charset.CharacterCodingException e) {
                jdk = false;
            }
            assertThat(JsonBytes.isUtf8(bytes)).as(java.util.HexFormat.of().formatHex(bytes)).isEqualTo(jdk);
        }
        assertThat(JsonBytes.isUtf8("é€😀".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void aConnectRoute_writesKafkaConnectJsonWithSchema_thatConnectsOwnConverterReadsIntoTypedFields() {
        RecordMapper connect = mapperFor(Route.Headers.FULL, Route.Format.CONNECT, Route.Timestamp.ARRIVAL);
        org.apache.kafka.connect.json.JsonConverter converter = new org.apache.kafka.connect.json.JsonConverter();
        converter.configure(Map.of("schemas.enable", "true"), false);
        ProducerRecord<byte[], byte[]> mapped = connect.map(agentReading(true, AGENT_READING)).orElseThrow();
        org.apache.kafka.connect.data.SchemaAndValue read = converter.toConnectData("readings", mapped.value());
        org.apache.kafka.connect.data.Struct row = (org.apache.kafka.connect.data.Struct) read.value();
        assertThat(row.getString("id")).isEqualTo("pi-1/temperature/3/43");
        assertThat(row.getString("type")).isEqualTo("dev.edgeline.reading");
        assertThat(row.getString("source")).isEqualTo("edge://pi-1/temperature");
        assertThat(row.get("time")).isEqualTo(java.util.Date.from(java.time.Instant.parse("2025-11-22T09:59:58.25Z")));
        assertThat(row.get("received_at")).isEqualTo(new java.util.Date(1_763_805_600_000L));
        assertThat(row.getString("device")).isEqualTo("pi-1");
        assertThat(row.getString("stream")).isEqualTo("temperature");
        assertThat(row.getInt64("boot")).isEqualTo(3L);
        assertThat(row.getInt64("seq")).isEqualTo(43L);
        assertThat(row.getString("mqtt_topic")).isEqualTo("edge/pi-1/temperature");
        assertThat(row.getBoolean("clock_synced")).isTrue();
        assertThat(row.getString("content_type")).isEqualTo("application/json");
        assertThat(row.getString("dataschema")).isEqualTo("https://edgeline.dev/schemas/payload/reading.schema.json");
        assertThat(row.getString("data")).isEqualTo(AGENT_READING);
        assertThat(row.get("data_bytes")).isNull();
        assertThat(headersOf(agentReading(true, AGENT_READING), connect)).containsOnlyKeys("device", "stream", "boot",
                "seq", "content-type");

        byte[] awkward = "line 1\n\t\"quoted\" \\ \u0001 é".getBytes(StandardCharsets.UTF_8);
        byte[] binary = {0, (byte) 0xFF, (byte) 0xC0, 0x41};
        for (byte[] payload : List.of(awkward, binary)) {
            SpoolRecord record = new SpoolRecord("pi-1/esp \"32\"", "lan/esp/room temp", 1, 7, "lan/esp/room temp",
                    false, 5, payload);
            org.apache.kafka.connect.data.Struct other = (org.apache.kafka.connect.data.Struct) converter
                    .toConnectData("readings", connect.map(record).orElseThrow().value()).value();
            assertThat(other.getString("device")).isEqualTo("pi-1/esp \"32\"");
            assertThat(other.getString("type")).isEqualTo("dev.edgeline.device-data");
            assertThat(other.getString("content_type")).isEqualTo("application/octet-stream");
            assertThat(other.get("dataschema")).isNull();
            if (payload == awkward) {
                assertThat(other.getString("data")).isEqualTo(new String(awkward, StandardCharsets.UTF_8));
            } else {
                assertThat(other.get("data")).isNull();
                assertThat(other.getBytes("data_bytes")).isEqualTo(binary);
            }
        }
    }
}
