package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeline.appliance.BridgedRecordCollector.Seen;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plant's Sparkplug B edge node (Eclipse Tahu payloads over a real Paho client, {@link TahuEdgeNode}) through
 * the real broker and the exactly-once bridge into a real Kafka: every metric a record named from the births'
 * aliases, a lost message a {@code sparkplug-seq} gap marker and a rebirth the node answers, data before a birth
 * a rebirth request, a node restart a death and a new birth, and after a broker restart the aliases still resolve.
 */
@Timeout(240)
class SparkplugIT {
    private static final String GATEWAY = "gw-plant-01";

    @Test
    void aTahuEdgeNode_throughTheBrokerIntoKafka_metricByMetric_withGapsRebirthsAndRestarts(@TempDir Path dir)
            throws Exception {
        int port = TestDevice.freePort();
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            DeviceConfig config = ConfigLoader.parse(Path.of("it.yaml"), yaml(port, kafka, "it.plant"), dir);
            try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                    List.of("it.plant", "edge.gaps"), seen::add)) {
                collector.start();
                try (EdgeBrokerService broker = EdgeBrokerService.start(config);
                     TahuEdgeNode line3 = new TahuEdgeNode(port, "plant", "line-3", 0).connect(true)) {
                    for (int i = 1; i <= 10; i++) {
                        line3.temperature(20 + i / 10.0);
                        line3.pressure(100 + i);
                    }
                    line3.loseOneMessage();
                    line3.temperature(99.5); // arrives after a hole: gap marker, and the broker asks for a rebirth
                    Awaits.until(Duration.ofSeconds(20), () -> line3.rebirthRequests() == 1, "the rebirth request");
                    Awaits.until(Duration.ofSeconds(20), () -> line3.births() == 2,
                            "the node's answer: NBIRTH and DBIRTH again, seq from 0");
                    line3.temperature(30.0);
                    line3.shutDown(); // NDEATH of bdSeq 0

                    try (TahuEdgeNode early = new TahuEdgeNode(port, "plant", "line-4", 0).connect(false)) {
                        early.temperature(5.0); // before any birth: a rebirth request, which it answers
                        Awaits.until(Duration.ofSeconds(20), () -> early.births() >= 1, "its birth, on request");
                    }
                }
                // A broker restart: the node, still in its session as it sees it, goes on by alias only.
                try (EdgeBrokerService broker = EdgeBrokerService.start(config);
                     TahuEdgeNode line3 = new TahuEdgeNode(port, "plant", "line-3", 1).connect(false)) {
                    line3.temperature(41.0);
                    Awaits.until(Duration.ofSeconds(20), () -> line3.rebirthRequests() >= 1,
                            "a rebirth request after the restart");
                    Awaits.until(Duration.ofSeconds(60), () -> seen.stream().anyMatch(s -> s.payload().contains("41.0")),
                            "the data after the restart in Kafka");
                    line3.temperature(42.0);
                    Awaits.until(Duration.ofSeconds(60), () -> seen.stream().anyMatch(s -> s.payload().contains("42.0")),
                            "the data after the rebirth in Kafka");
                }
                assertThat(collector.duplicates()).isZero();
                assertThat(collector.orderViolations()).isEmpty();
            }

            String node = GATEWAY + "/plant/line-3";
            List<Seen> temps = seen.stream().filter(s -> s.identity().device().equals(node)
                    && s.identity().stream().equals("Temp")).toList();
            ObjectMapper json = new ObjectMapper();
            List<Double> values = temps.stream().map(s -> read(json, s.payload()).get("value").asDouble()).toList();
            assertThat(values).as("births' values, then the data by alias, in order").startsWith(20.0, 20.1, 20.2)
                    .contains(99.5, 30.0, 41.0, 42.0);
            assertThat(temps).allSatisfy(s -> {
                assertThat(s.headers()).containsEntry("ce_type", "dev.edgeline.sparkplug-metric")
                        .containsEntry("ce_dataschema", "https://edgeline.dev/schemas/payload/sparkplug-metric.schema.json");
                assertThat(s.key()).isEqualTo(node + "/Temp");
            });
            assertThat(seen.stream().filter(s -> s.identity().device().equals(node + "/press-2")
                    && s.identity().stream().equals("Pressure")).map(s -> read(json, s.payload()).get("value").asInt()))
                    .as("the device's metric, resolved from its DBIRTH").contains(101, 110);
            assertThat(seen.stream().filter(s -> s.identity().device().startsWith(node)
                    && s.identity().stream().startsWith("alias/"))).as("every alias of line-3 resolved").isEmpty();
            assertThat(seen.stream().filter(s -> s.identity().device().equals(GATEWAY + "/plant/line-4")
                    && s.identity().stream().equals("alias/1"))).as("data before any birth kept, by its alias")
                    .singleElement().satisfies(s -> assertThat(s.payload()).contains("\"value\":5.0"));
            List<String> states = seen.stream().filter(s -> s.identity().device().equals(node)
                    && s.identity().stream().equals("$state"))
                    .map(s -> read(json, s.payload()).get("state").asText() + " " + read(json, s.payload())
                            .get("message").asText()).toList();
            assertThat(states).containsSubsequence("online NBIRTH", "online NBIRTH", "offline NDEATH", "online NBIRTH");
            List<JsonNode> gaps = seen.stream().filter(s -> s.topic().equals("edge.gaps"))
                    .map(s -> read(json, s.payload())).toList();
            assertThat(gaps).singleElement().satisfies(gap -> {
                assertThat(gap.get("reason").asText()).isEqualTo("sparkplug-seq");
                assertThat(gap.get("sparkplug").get("edge_node").asText()).isEqualTo("line-3");
                assertThat(gap.get("sparkplug").get("lost_messages").asInt()).isEqualTo(1);
            });
            assertThat(seen.stream().filter(s -> s.identity().device().equals(GATEWAY + "/plant/line-4")
                    && s.identity().stream().equals("$state"))).as("the early node answered with a birth").isNotEmpty();

            EdgeCommand verify = EdgeCommand.run("verify", "--bootstrap", kafka.bootstrapServers(), "--topic", "it.plant");
            assertThat(verify.status()).as(verify.out()).isZero();
        }
    }

    @Test
    void aBrokerKilledWithSigkill_keepsTheBirthsAliases_andEveryAcknowledgedMetricArrivesOnce(@TempDir Path dir)
            throws Exception {
        int port = TestDevice.freePort();
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            Path configFile = dir.resolve("device.yaml");
            java.nio.file.Files.writeString(configFile, yaml(port, kafka, "it.plant-kill"));
            Path log = dir.resolve("broker.log");
            try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                    List.of("it.plant-kill"), seen::add)) {
                collector.start();
                Process broker = ChildService.start("broker", configFile, dir, log);
                try {
                    Awaits.until(Duration.ofSeconds(120), () -> TestDevice.listening(port), "the broker");
                    try (TahuEdgeNode line3 = new TahuEdgeNode(port, "plant", "line-3", 0).connect(true)) {
                        for (int i = 1; i <= 20; i++) {
                            line3.temperature(i); // each acknowledged: durable before the PUBACK
                        }
                        ChildService.kill(broker);
                    }
                    broker = ChildService.start("broker", configFile, dir, log);
                    Awaits.until(Duration.ofSeconds(120), () -> TestDevice.listening(port), "the broker again");
                    try (TahuEdgeNode line3 = new TahuEdgeNode(port, "plant", "line-3", 0).connect(false)) {
                        for (int i = 21; i <= 25; i++) {
                            line3.temperature(i); // by alias only, no birth yet: resolved from the kept aliases
                        }
                        Awaits.until(Duration.ofSeconds(20), () -> line3.births() >= 1, "its birth, on request");
                    }
                    Awaits.until(Duration.ofSeconds(90), () -> seen.stream().filter(s -> s.identity().stream()
                            .equals("Temp")).count() >= 26, "every Temp in Kafka (log: " + log + ")");
                    Thread.sleep(1_000); // room for a late duplicate
                } finally {
                    ChildService.stop(broker);
                }
                assertThat(collector.duplicates()).isZero();
            }
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> temps = seen.stream().filter(s -> s.identity().stream().equals("Temp"))
                    .map(s -> read(json, s.payload())).toList();
            List<Double> expected = new java.util.ArrayList<>();
            for (int i = 1; i <= 25; i++) {
                expected.add((double) i);
            }
            assertThat(temps.stream().filter(t -> t.get("sparkplug").get("message").asText().equals("NDATA"))
                    .map(t -> t.get("value").asDouble()).toList())
                    .as("the 20 before the kill and the 5 after it (by alias, before the rebirth): once, in order")
                    .containsExactlyElementsOf(expected);
            assertThat(temps.stream().filter(t -> t.get("sparkplug").get("message").asText().equals("NBIRTH")))
                    .as("the first birth and the one the broker asked for after its restart").hasSize(2);
            assertThat(seen.stream().filter(s -> s.identity().stream().startsWith("alias/"))).isEmpty();
        }
    }

    /** The gateway: Sparkplug topics and the agent's routed to {@code topic}. */
    private static String yaml(int port, EmbeddedKafka kafka, String topic) {
        return """
                device: {id: %s}
                broker:
                  listener: {host: 127.0.0.1, port: %d}
                spool: {directory: spool, segment-bytes: 262144}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: %s
                  batch-records: 100
                  routes:
                    - {mqtt-filter: "spBv1.0/#", kafka-topic: %s}
                    - {mqtt-filter: "edge/+/+", kafka-topic: %s}
                sensors:
                  - {stream: temperature, type: simulated-analog, period: 1s}
                """.formatted(GATEWAY, port, kafka.bootstrapServers(), topic, topic);
    }

    private static JsonNode read(ObjectMapper json, String payload) {
        try {
            return json.readTree(payload);
        } catch (java.io.IOException e) {
            throw new AssertionError(payload, e);
        }
    }
}
