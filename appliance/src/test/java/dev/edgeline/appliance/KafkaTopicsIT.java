package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.appliance.BridgedRecordCollector.Seen;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edge kafka topics} and the bridge's own check against a real Kafka that does not create topics: the
 * bridge waits with a clear error while topics are missing, the command creates them as planned, and then every
 * reading arrives once, those of a {@code format: structured} route as CloudEvents JSON.
 */
@Timeout(240)
class KafkaTopicsIT {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        kafka = EmbeddedKafka.start(dir, 0, Map.of("auto.create.topics.enable", "false"));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String yaml(int mqttPort) {
        return TestDevice.yaml(mqttPort, kafka.bootstrapServers(), "it.readings", 20).replace("""
                  routes:
                    - mqtt-filter: "edge/+/+"
                      kafka-topic: it.readings
                """, """
                  routes:
                    - mqtt-filter: "edge/+/door"
                      kafka-topic: it.structured
                      format: structured
                      timestamp: reading
                    - mqtt-filter: "edge/+/+"
                      kafka-topic: it.readings
                """);
    }

    @Test
    void theBridgeWaitsForMissingTopicsWithAClearError_thenTheCommandCreatesThem_andEveryReadingArrivesOnce(
            @TempDir Path dir) throws Exception {
        int mqttPort = TestDevice.freePort();
        Path file = dir.resolve("device.yaml");
        Files.writeString(file, yaml(mqttPort));
        DeviceConfig config = ConfigLoader.load(file, dir);
        Set<Identity> published = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

        EdgeCommand before = EdgeCommand.run("kafka", "topics", "--config", file.toString(), "--data-dir", dir.toString());
        assertThat(before.status()).as(before.out() + before.err()).isEqualTo(3);
        assertThat(before.out()).containsPattern("it.structured +data +- +- +MISSING")
                .containsPattern("it.readings +data +- +- +MISSING").containsPattern("edge.gaps +gaps .*MISSING")
                .containsPattern("edge.bridge.checkpoints +checkpoints .*MISSING")
                .containsPattern("edge.bridge.checkpoints.anchor +checkpoint anchor .*MISSING");

        try (EdgeBrokerService broker = EdgeBrokerService.start(config);
             EdgeAgent agent = EdgeAgent.create(config, r -> published.add(
                     new Identity(r.device(), r.stream(), r.boot(), r.seq())), 40)) {
            agent.start();
            Awaits.until(Duration.ofSeconds(60), () -> broker.bridge().status().lastError()
                    .contains("has no topic(s) it.structured, it.readings, edge.gaps"), "the bridge's clear error");
            assertThat(broker.bridge().status().lastError()).contains("auto.create.topics.enable=false")
                    .contains("edge kafka topics --config <device.yaml> --create");
            assertThat(broker.bridge().forwarded()).isZero();

            EdgeCommand create = EdgeCommand.run("kafka", "topics", "--config", file.toString(), "--data-dir", dir.toString(),
                    "--create", "--partitions", "4", "--retention", "3d");
            assertThat(create.status()).as(create.out() + create.err()).isZero();
            assertThat(create.out()).containsPattern("it.structured +data +4 +1 +created")
                    .containsPattern("it.readings +data +4 +1 +created").containsPattern("edge.gaps +gaps +1 +1 +created")
                    .containsPattern("edge.bridge.checkpoints +checkpoints +1 +1 +created");

            try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                    List.of("it.readings", "it.structured"), seen::add)) {
                collector.start();
                Awaits.until(Duration.ofSeconds(60), agent::samplingFinished, "sampling to finish");
                assertThat(agent.awaitAcknowledged(Duration.ofSeconds(60))).isTrue();
                Awaits.until(Duration.ofSeconds(90), () -> collector.distinctCount() >= published.size(),
                        "every reading in Kafka once the topics exist");
                assertThat(collector.distinct()).isEqualTo(published);
                assertThat(collector.duplicates()).isZero();
                assertThat(collector.orderViolations()).isEmpty();
            }
        }
        assertThat(published).hasSize(3 * 40);
        ObjectMapper json = new ObjectMapper();
        List<Seen> doors = seen.stream().filter(s -> s.topic().equals("it.structured")).toList();
        assertThat(doors).hasSize(40);
        for (Seen door : doors) {
            assertThat(door.headers()).containsEntry("content-type", "application/cloudevents+json")
                    .doesNotContainKey("ce_type");
            JsonNode event = json.readTree(door.payload());
            assertThat(event.get("type").asText()).isEqualTo("dev.edgeline.reading");
            assertThat(event.get("seq").asText()).isEqualTo(Long.toString(door.identity().seq()));
            assertThat(event.get("source").asText()).isEqualTo("edge://" + TestDevice.DEVICE + "/door");
            assertThat(event.get("data").has("value")).isTrue();
        }
        assertThat(seen.stream().filter(s -> s.topic().equals("it.readings")))
                .allSatisfy(s -> assertThat(s.headers()).containsEntry("ce_type", "dev.edgeline.reading"));

        try (Admin admin = admin()) {
            TopicDescription readings = admin.describeTopics(List.of("it.readings")).allTopicNames().get()
                    .get("it.readings");
            assertThat(readings.partitions()).hasSize(4);
            Config readingsConfig = config(admin, "it.readings");
            assertThat(readingsConfig.get("cleanup.policy").value()).isEqualTo("delete");
            assertThat(readingsConfig.get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofDays(3).toMillis()));
            assertThat(Integer.parseInt(readingsConfig.get("max.message.bytes").value()))
                    .isEqualTo(config.bridge().largestKafkaRecordBytes());
            assertThat(config(admin, "edge.bridge.checkpoints").get("cleanup.policy").value()).isEqualTo("compact");
        }
        EdgeCommand after = EdgeCommand.run("kafka", "topics", "--config", file.toString(), "--data-dir", dir.toString());
        assertThat(after.status()).as(after.out()).isZero();
        assertThat(after.out()).containsPattern("it.readings +data +4 +1 +ok");
        EdgeCommand verify = EdgeCommand.run("verify", "--bootstrap", kafka.bootstrapServers(), "--topic", "it.readings,it.structured");
        assertThat(verify.status()).as(verify.out()).isZero();
    }

    @Test
    void aCompactedDataTopic_isAProblemNamedWithItsReason(@TempDir Path dir) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("it.compacted", 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact", "max.message.bytes", "100000")))).all().get();
        }
        Path file = dir.resolve("device.yaml");
        Files.writeString(file, TestDevice.yaml(TestDevice.freePort(), kafka.bootstrapServers(), "it.compacted", 20)
                .replace("  batch-records: 500\n", "  batch-records: 500\n  gap-topic: it.compacted-gaps\n"
                        + "  checkpoint-topic: it.compacted-checkpoints\n"));
        EdgeCommand result = EdgeCommand.run("kafka", "topics", "--config", file.toString(), "--data-dir", dir.toString(), "--create");
        assertThat(result.status()).as(result.out() + result.err()).isEqualTo(3);
        assertThat(result.out()).contains("it.compacted").contains("PROBLEM: cleanup.policy=compact: compaction keeps"
                + " only the last record of each key (stream); must be delete")
                .contains("max.message.bytes=100000 is below the largest record the device accepts");
    }

    @Test
    void anUnreachableKafka_isAFailureThatNamesIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("device.yaml");
        int closed = TestDevice.freePort();
        Files.writeString(file, TestDevice.yaml(TestDevice.freePort(), "127.0.0.1:" + closed, "it.x", 20));
        EdgeCommand result = EdgeCommand.run("kafka", "topics", "--config", file.toString(), "--data-dir", dir.toString(),
                "--timeout", "3s");
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).contains("127.0.0.1:" + closed);
    }

    private static Config config(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return Admin.create(p);
    }
}
