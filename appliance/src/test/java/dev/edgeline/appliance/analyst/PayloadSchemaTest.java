package dev.edgeline.appliance.analyst;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.edgeline.agent.Reading;
import dev.edgeline.agent.internal.MonotonicClock;
import dev.edgeline.agent.internal.ReadingFactory;
import dev.edgeline.agent.internal.SensorHealth;
import dev.edgeline.broker.internal.BrokerHealth;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolReader;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.broker.spool.SpooledRecord;
import dev.edgeline.broker.spool.internal.GapMarkers;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.KeyTemplate;
import dev.edgeline.config.RecordEnvelope.PayloadKind;
import dev.edgeline.config.Route;
import dev.edgeline.config.SensorConfig;
import dev.edgeline.config.SpoolConfig;
import dev.edgeline.config.TopicFilter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every payload kind the appliance writes follows the JSON Schema it publishes (checked by a real JSON Schema
 * validator, draft 2020-12): the payloads come from the real code (the agent's reading factory and sensor health,
 * the broker's health events, the spool's gap markers), not from copies in the test.
 */
class PayloadSchemaTest {
    @TempDir
    Path dir;

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDialect(Dialects.getDraft202012());

    private static void assertFollows(PayloadKind kind, String payload) {
        Schema schema = REGISTRY.getSchema(kind.schema(), InputFormat.JSON);
        assertThat(schema.validate(payload, InputFormat.JSON)).as(kind + ": " + payload).isEmpty();
    }

    @Test
    void aPayloadThatBreaksItsSchema_isCaught() {
        Schema reading = REGISTRY.getSchema(PayloadKind.READING.schema(), InputFormat.JSON);
        assertThat(reading.validate("{\"value\":\"warm\",\"unit\":\"°C\"}", InputFormat.JSON)).isNotEmpty();
        Schema gap = REGISTRY.getSchema(PayloadKind.GAP.schema(), InputFormat.JSON);
        assertThat(gap.validate("{\"gap\":true,\"reason\":\"lost-somehow\"}", InputFormat.JSON)).isNotEmpty();
    }

    @Test
    void theAgentsReadingsAndHealthRecords() throws Exception {
        ReadingFactory readings = new ReadingFactory("pi-1", 3, dir.resolve("agent"), List.of("env", "door", "health"),
                InstantSource.fixed(Instant.parse("2026-12-02T10:00:00.123Z")), ClockSync.system(),
                MonotonicClock.system());
        assertFollows(PayloadKind.READING, readings.measurement(
                new dev.edgeline.agent.driver.Measurement("env", 21.5, "°C", false)).toJson());
        assertFollows(PayloadKind.READING, readings.measurement(
                new dev.edgeline.agent.driver.Measurement("door", 1, "", true)).toJson());
        List<Reading> health = new ArrayList<>();
        SensorHealth sensorHealth = new SensorHealth(readings, "health", health::add);
        SensorConfig env = new SensorConfig.SimulatedAnalog("env", Duration.ofSeconds(1), "°C", 20, 1, 0,
                Duration.ofMinutes(1));
        sensorHealth.failed(env, new java.io.IOException("I2C read failed: \"remote I/O error\""), 3,
                Duration.ofMillis(400));
        sensorHealth.recovered(env, 3);
        sensorHealth.outboxOverflow(4096, Map.of("env", new long[] {10, 4105, 4096}));
        assertThat(health).hasSize(3);
        health.forEach(r -> assertFollows(PayloadKind.HEALTH, r.toJson()));
    }

    @Test
    void theBrokersHealthEventsAndTheSpoolsGapMarkers() throws Exception {
        BridgeConfig routes = new BridgeConfig("127.0.0.1:9", List.of(new Route(TopicFilter.parse("edge/#"),
                "readings", KeyTemplate.parse(KeyTemplate.DEFAULT), SpoolConfig.DEFAULT_LANE)), 100,
                Duration.ofSeconds(1), "edge.gaps");
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(SpoolConfig.singleLane(dir.resolve("spool"), 1 << 20,
                1 << 24), "pi-1", InstantSource.system())) {
            new BrokerHealth(spool, routes, "pi-1", 7, InstantSource.system()).report("identity-jump-refused",
                    "esp32", "client", "esp32", "device", "pi-1/esp32", "stream", "t", "from", "1/5", "to", "1/9999999");
            List<SpooledRecord> spooled = List.of();
            try (SpoolReader reader = spool.openReader("check")) {
                for (int i = 0; i < 50 && spooled.isEmpty(); i++) {
                    spooled = reader.poll(10, Duration.ofMillis(100));
                }
            }
            assertThat(spooled).hasSize(1);
            assertFollows(PayloadKind.BROKER_HEALTH, new String(spooled.getFirst().record().payload(),
                    StandardCharsets.UTF_8));
        }
        GapMarkers.Summary lost = new GapMarkers.Summary();
        lost.add(new SpoolRecord("pi-1", "env", 3, 10, "edge/pi-1/env", true, 0, new byte[8]));
        lost.add(new SpoolRecord("pi-1/esp32", "t", 1, 4, "lan/esp32/t", false, 0, new byte[8]));
        for (SpoolRecord marker : List.of(
                GapMarkers.marker("pi-1", "telemetry", GapMarkers.Reason.DROPPED_OLDEST, 0, 4096, lost, 0),
                GapMarkers.marker("pi-1", "telemetry", GapMarkers.Reason.DAMAGED, 4096, 8192, null, 0),
                GapMarkers.marker("pi-1", "telemetry", GapMarkers.Reason.KAFKA_REFUSED, 8192, 9000, lost, 0,
                        "RecordTooLargeException: \"too large\""))) {
            assertFollows(PayloadKind.GAP, new String(marker.payload(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void sparkplugMetricsStatesAndGapMarkers_followTheirSchemas() throws Exception {
        dev.edgeline.broker.sparkplug.SparkplugIngest ingest = new dev.edgeline.broker.sparkplug.SparkplugIngest(
                "gw-1", dir);
        List<SpoolRecord> records = new ArrayList<>();
        var encoder = new org.eclipse.tahu.message.SparkplugBPayloadEncoder();
        List<org.eclipse.tahu.message.model.Metric> birth = List.of(
                metric("bdSeq", 0, org.eclipse.tahu.message.model.MetricDataType.Int64, 2L),
                metric("Temp", 1, org.eclipse.tahu.message.model.MetricDataType.Double, Double.NaN),
                metric("Name", 2, org.eclipse.tahu.message.model.MetricDataType.String, "press"),
                metric("Flags", 3, org.eclipse.tahu.message.model.MetricDataType.BooleanArray,
                        new Boolean[] {true, false}),
                metric("Blob", 4, org.eclipse.tahu.message.model.MetricDataType.Bytes, new byte[] {1, 2}),
                metric("When", 5, org.eclipse.tahu.message.model.MetricDataType.DateTime, new java.util.Date(0)));
        for (var message : List.of(
                Map.entry("spBv1.0/g/NBIRTH/n", new org.eclipse.tahu.message.model.SparkplugBPayload(
                        new java.util.Date(), birth, 0L)),
                Map.entry("spBv1.0/g/NDATA/n", new org.eclipse.tahu.message.model.SparkplugBPayload(
                        new java.util.Date(), List.of(metric("Temp", 1, org.eclipse.tahu.message.model.MetricDataType
                        .Double, 1.5)), 3L)),
                Map.entry("spBv1.0/g/NDEATH/n", new org.eclipse.tahu.message.model.SparkplugBPayload(
                        new java.util.Date(), List.of(birth.getFirst()), null)))) {
            var outcome = ingest.ingest(dev.edgeline.broker.sparkplug.SparkplugTopic.parse(message.getKey())
                    .orElseThrow(), encoder.getBytes(message.getValue(), false), 1, true, 0);
            records.addAll(((dev.edgeline.broker.sparkplug.SparkplugIngest.Outcome.Accepted) outcome).records());
        }
        assertThat(records).hasSizeGreaterThan(8);
        for (SpoolRecord record : records) {
            String payload = new String(record.payload(), StandardCharsets.UTF_8);
            PayloadKind kind = record.kind() == dev.edgeline.broker.spool.RecordKind.GAP ? PayloadKind.GAP
                    : record.stream().equals("$state") ? PayloadKind.SPARKPLUG_STATE : PayloadKind.SPARKPLUG_METRIC;
            assertFollows(kind, payload);
        }
        assertThat(records).anySatisfy(r -> assertThat(r.kind()).isEqualTo(dev.edgeline.broker.spool.RecordKind.GAP));
    }

    private static org.eclipse.tahu.message.model.Metric metric(String name, long alias,
            org.eclipse.tahu.message.model.MetricDataType type, Object value) throws Exception {
        return new org.eclipse.tahu.message.model.Metric.MetricBuilder(name, type, value).alias(alias).createMetric();
    }
}
