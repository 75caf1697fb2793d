package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analyst's contract end to end: a drop-oldest lane overflows while Kafka is away, the spool drops its oldest
 * segments and writes gap markers; once Kafka is back, the bridge delivers what was kept and the markers, and an
 * analyst's {@code bin/edge verify} finds every hole in seq explained by a marker (exit 0), while the records carry
 * content-type, the reading's own time as ce_time and their schema.
 */
@Timeout(240)
class GapMarkerEndToEndIT {
    private static final String TOPIC = "it.gapped";
    private static final int RECORDS = 3_000;

    @Test
    void droppedRecords_reachKafkaAsGapMarkers_andVerifyExplainsEveryHole(@TempDir Path dir) throws Exception {
        int kafkaPort = TestDevice.freePort();
        Path file = dir.resolve("device.yaml");
        Files.writeString(file, """
                device: {id: pi-gaps}
                broker: {listener: {port: %d}}
                spool:
                  directory: spool
                  segment-bytes: 65536
                  budget-bytes: 1048576
                  lanes: [{name: telemetry, budget-bytes: 262144, when-full: drop-oldest}]
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: 127.0.0.1:%d
                  retry-backoff-max: 1s
                  routes: [{mqtt-filter: "edge/#", kafka-topic: %s}]
                sensors: []
                """.formatted(TestDevice.freePort(), kafkaPort, TOPIC));
        DeviceConfig config = ConfigLoader.load(file, dir);
        Instant readingTime = Instant.parse("2026-12-01T08:00:00.250Z");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), kafkaPort);
             EdgeBrokerService service = EdgeBrokerService.start(config)) {
            append(service, readingTime, 0, 100);
            Awaits.until(Duration.ofSeconds(60), () -> service.bridge().forwarded() >= 100, "the first 100 in Kafka");
            kafka.stop();
            append(service, readingTime, 100, RECORDS); // about 600 KB into a 256 KiB lane: the oldest are dropped
            assertThat(service.spool().counters().droppedRecords()).as("the lane overflowed").isPositive();
            long markers = service.spool().counters().gapMarkers();
            assertThat(markers).isPositive();
            kafka.restart();
            Awaits.until(Duration.ofSeconds(120), () -> service.bridge().status().totalBacklogBytes() == 0
                            && service.bridge().status().state().equals("FORWARDING"),
                    "the bridge to deliver what the lane kept and the gap markers");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = Main.run(List.of("verify", "--bootstrap", kafka.bootstrapServers(), "--topic", TOPIC,
                            "--gap-topic", "edge.gaps", "--timeout", "60s"),
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            String report = out.toString(StandardCharsets.UTF_8);
            assertThat(status).as(report).isZero();
            assertThat(report).contains(markers + " gap marker(s) in edge.gaps").contains("verify: OK")
                    .doesNotContain("unexplained hole")
                    .containsPattern("pi-gaps/t +[\\d,]+ +0 +0 +1 \\([1-9][\\d,]*\\) +0");
            Map<String, String> headers = firstRecordHeaders(kafka.bootstrapServers());
            long firstSeq = Long.parseLong(headers.get("seq"));
            assertThat(headers).containsEntry("content-type", "application/json")
                    .containsEntry("ce_time", readingTime.plusMillis(firstSeq).toString())
                    .containsEntry("ce_dataschema", "https://edgeline.dev/schemas/payload/reading.schema.json");
        }
    }

    private static void append(EdgeBrokerService service, Instant readingTime, int from, int to) {
        for (int seq = from; seq < to; seq++) {
            String payload = "{\"value\":" + seq + ",\"unit\":\"°C\",\"ts\":\"" + readingTime.plusMillis(seq)
                    + "\",\"mono_ms\":" + seq + ",\"clock_synced\":true,\"pad\":\"" + "x".repeat(120) + "\"}";
            service.spool().append("telemetry", new SpoolRecord("pi-gaps", "t", 1, seq, "edge/pi-gaps/t", true,
                    System.currentTimeMillis(), payload.getBytes(StandardCharsets.UTF_8))).join();
        }
    }

    private static Map<String, String> firstRecordHeaders(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-headers");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Map<String, String> headers = new HashMap<>();
                    for (Header header : record.headers()) {
                        headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
                    }
                    return headers;
                }
            }
        }
        throw new AssertionError("no record in " + TOPIC);
    }
}
