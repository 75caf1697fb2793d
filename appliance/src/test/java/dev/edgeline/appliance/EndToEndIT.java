package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.appliance.BridgedRecordCollector.Seen;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole data path with real components: the agent (Paho MQTT 5) publishing simulated readings into the embedded
 * HiveMQ broker, the spool, the bridge, and a real KRaft Kafka, checked by an independent read_committed consumer.
 */
@Timeout(300)
class EndToEndIT {
    private static final int SAMPLES_PER_STREAM = 3_334; // 3 streams: 10,002 readings
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka(@TempDir Path kafkaDir) throws Exception {
        kafka = EmbeddedKafka.start(kafkaDir, 0);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void tenThousandReadings_arriveInKafkaExactlyOnce_inStreamOrder_withKeyAndHeaders(@TempDir Path dataDir)
            throws Exception {
        DeviceConfig config = TestDevice.config(dataDir, TestDevice.freePort(), kafka.bootstrapServers(),
                "it.exactly-once", 1);
        Set<Identity> published = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

        try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                List.of("it.exactly-once"), seen::add);
             EdgeBrokerService broker = EdgeBrokerService.start(config);
             EdgeAgent agent = EdgeAgent.create(config, r -> published.add(
                     new Identity(r.device(), r.stream(), r.boot(), r.seq())), SAMPLES_PER_STREAM)) {
            collector.start();
            agent.start();
            Awaits.until(Duration.ofSeconds(120), agent::samplingFinished, "sampling to finish");
            assertThat(agent.awaitAcknowledged(Duration.ofSeconds(60))).as("all readings acknowledged").isTrue();
            assertThat(published).hasSize(3 * SAMPLES_PER_STREAM);
            Awaits.until(Duration.ofSeconds(60), () -> collector.distinctCount() >= published.size(),
                    "all readings in Kafka");
            Thread.sleep(1_000); // room for late duplicates to show up

            assertThat(collector.distinct()).isEqualTo(published);
            assertThat(collector.duplicates()).isZero();
            assertThat(collector.orderViolations()).isEmpty();
            assertThat(agent.dropped()).isZero();
        }
        // The analyst's own check agrees: no duplicates, nothing out of order, no hole.
        java.io.ByteArrayOutputStream report = new java.io.ByteArrayOutputStream();
        int status = Main.run(List.of("verify", "--bootstrap", kafka.bootstrapServers(), "--topic", "it.exactly-once"),
                new java.io.PrintStream(report, true, java.nio.charset.StandardCharsets.UTF_8), System.err);
        assertThat(status).as(report.toString(java.nio.charset.StandardCharsets.UTF_8)).isZero();
        assertThat(report.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains(String.format(java.util.Locale.ROOT, "%,d record(s) in it.exactly-once", 3 * SAMPLES_PER_STREAM))
                .contains("verify: OK");
        for (Seen record : seen) {
            Identity id = record.identity();
            assertThat(record.key()).isEqualTo(TestDevice.DEVICE + "/" + id.stream());
            Map<String, String> headers = record.headers();
            assertThat(headers).containsEntry("device", TestDevice.DEVICE)
                    .containsEntry("stream", id.stream())
                    .containsEntry("boot", Long.toString(id.boot()))
                    .containsEntry("seq", Long.toString(id.seq()))
                    .containsEntry("mqtt_topic", "edge/" + TestDevice.DEVICE + "/" + id.stream())
                    .containsEntry("clock_synced", "false")
                    .containsEntry("ce_specversion", "1.0")
                    .containsKeys("ce_id", "ce_source", "ce_type", "ce_time");
            assertThat(record.payload()).startsWith("{\"value\":").contains("\"clock_synced\":false");
        }
        // One stream, one partition: the key keeps a stream's order.
        Map<String, Set<Integer>> partitionsPerStream = new ConcurrentHashMap<>();
        seen.forEach(r -> partitionsPerStream.computeIfAbsent(r.identity().stream(), s -> ConcurrentHashMap.newKeySet())
                .add(r.partition()));
        partitionsPerStream.values().forEach(partitions -> assertThat(partitions).hasSize(1));
    }

    @Test
    void brokerAndBridgeRestartedMidway_nothingMissing_nothingDuplicated(@TempDir Path dataDir) throws Exception {
        DeviceConfig config = TestDevice.config(dataDir, TestDevice.freePort(), kafka.bootstrapServers(),
                "it.restart", 2);
        Set<Identity> published = ConcurrentHashMap.newKeySet();

        try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                List.of("it.restart"), r -> { });
             EdgeAgent agent = EdgeAgent.create(config, r -> published.add(
                     new Identity(r.device(), r.stream(), r.boot(), r.seq())), 2_000)) {
            collector.start();
            EdgeBrokerService broker = EdgeBrokerService.start(config);
            agent.start();
            Awaits.until(Duration.ofSeconds(60), () -> published.size() >= 2_000, "2,000 readings acknowledged");
            broker.close(); // clean stop mid-stream: publishes in flight lose their PUBACK
            Thread.sleep(1_500); // the agent keeps sampling into its outbox meanwhile
            try (EdgeBrokerService restarted = EdgeBrokerService.start(config)) {
                Awaits.until(Duration.ofSeconds(120), agent::samplingFinished, "sampling to finish");
                assertThat(agent.awaitAcknowledged(Duration.ofSeconds(60))).as("all readings acknowledged").isTrue();
                assertThat(published).hasSize(3 * 2_000);
                Awaits.until(Duration.ofSeconds(60), () -> collector.distinctCount() >= published.size(),
                        "all readings in Kafka");
                Thread.sleep(1_000);

                assertThat(collector.distinct()).isEqualTo(published);
                assertThat(collector.duplicates()).isZero();
                assertThat(collector.orderViolations()).isEmpty();
            }
        }
    }
}
