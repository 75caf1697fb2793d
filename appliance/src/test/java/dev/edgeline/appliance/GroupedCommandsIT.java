package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeline.bridge.commands.CommandBridge;
import dev.edgeline.bridge.commands.DesiredStatusFile;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands for a group of devices ({@code kafka.commands.group}) with real components: two devices of one group
 * share its command topic and its desired-state topic in a real KRaft Kafka; device a runs in the broker service,
 * device b's command bridge on a broker of its own beside it, each device with a Paho responder. Each device executes only
 * the commands keyed by its id, exactly once and in order, takes only its own desired state, and commits past its
 * neighbours' records (including those of a device of the group that is not running), so a restart does not carry
 * them out.
 */
@Timeout(300)
class GroupedCommandsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GROUP = "site-7";
    private static final String COMMANDS = "edge.commands.group." + GROUP;
    private static final String DESIRED = "edge.desired.group." + GROUP;
    private static final String RESULTS = "it.grouped.results";
    private static final String A = "it-grp-a";
    private static final String B = "it-grp-b";
    private static final String ABSENT = "it-grp-c";

    /** The device's configuration: commands on, in the group, results to {@link #RESULTS}. */
    private static String yaml(String device, int mqttPort, String bootstrap) {
        return TestDevice.yaml(mqttPort, bootstrap, "it.grouped.data", 1000)
                .replace("id: " + TestDevice.DEVICE, "id: " + device)
                .replace("kafka:\n", "kafka:\n  commands:\n    enabled: true\n    group: " + GROUP
                        + "\n    results-topic: " + RESULTS + "\n");
    }

    private static DeviceConfig config(Path dataDir, String device, int mqttPort, String bootstrap) throws Exception {
        return ConfigLoader.parse(Path.of(device + ".yaml"), yaml(device, mqttPort, bootstrap), dataDir);
    }

    @Test
    void eachDeviceOfAGroup_executesOnlyItsOwnCommands_onceInOrder_andTakesOnlyItsOwnDesiredState(
            @TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createDirectories(dir.resolve("kafka")), 0)) {
            String bootstrap = kafka.bootstrapServers();
            int port = TestDevice.freePort();
            int portB = TestDevice.freePort();
            DeviceConfig a = config(Files.createDirectories(dir.resolve("a")), A, port, bootstrap);
            DeviceConfig b = config(Files.createDirectories(dir.resolve("b")), B, portB, bootstrap);
            // The operator's path: the group's topics from a's configuration, and b's finds them there.
            String topicsA = createTopics(dir.resolve("a"), A, port, bootstrap);
            assertThat(topicsA).contains(COMMANDS + " ").contains(DESIRED + " ").contains(RESULTS + " ");
            assertThat(createTopics(dir.resolve("b"), B, portB, bootstrap)).doesNotContain("MISSING");
            // The group's desired state: a's and b's entries in one topic, keys <device>/...; a's last record is at 2.
            produceDesired(bootstrap, List.of(
                    new String[] {A + "/sensor/temperature", "{\"period\":\"5s\"}"},
                    new String[] {B + "/sensor/temperature", "{\"period\":\"1s\"}"},
                    new String[] {A + "/output/relay", "{\"level\":\"high\"}"},
                    new String[] {B + "/output/relay", "{\"level\":\"low\"}"},
                    new String[] {ABSENT + "/sensor/humidity", "{\"enabled\":false}"}));

            List<String> aReceived = new CopyOnWriteArrayList<>();
            List<String> bReceived = new CopyOnWriteArrayList<>();
            try (EdgeBrokerService service = EdgeBrokerService.start(a);
                 EdgeBrokerService serviceB = EdgeBrokerService.startWithoutBridge(b)) {
                // b's command bridge alone on b's broker (the service's own would be a second one): b's counts seen
                CommandBridge bridgeB = new CommandBridge(b.bridge(), B, "tcp://127.0.0.1:" + portB,
                        InstantSource.system());
                bridgeB.start();
                MqttClient aResponder = CommandTestClients.responder(port, "responder-" + A,
                        "edge/" + A + "/commands/relay", (t, payload) -> aReceived.add(payload));
                MqttClient bResponder = CommandTestClients.responder(portB, "responder-" + B,
                        "edge/" + B + "/commands/relay", (t, payload) -> bReceived.add(payload));
                try {
                    // Interleaved on the one topic: a's, b's, and one for a device of the group that is not running.
                    for (int i = 1; i <= 5; i++) {
                        CommandTestClients.send(bootstrap, COMMANDS, A,
                                List.<String[]>of(new String[] {"a" + i, "relay", "a-step-" + i, null, null}));
                        CommandTestClients.send(bootstrap, COMMANDS, B,
                                List.<String[]>of(new String[] {"b" + i, "relay", "b-step-" + i, null, null}));
                    }
                    CommandTestClients.send(bootstrap, COMMANDS, ABSENT,
                            List.<String[]>of(new String[] {"c1", "relay", "c-step-1", null, null}));
                    CommandTestClients.send(bootstrap, COMMANDS, A,
                            List.<String[]>of(new String[] {"a1", "relay", "a-step-1 again", null, null}));

                    Map<String, List<JsonNode>> byId = CommandTestClients.results(bootstrap, RESULTS, 10,
                            Duration.ofSeconds(90), Duration.ofSeconds(3));
                    assertThat(byId.keySet()).as("one result per command of a running device, none for c's")
                            .containsExactlyInAnyOrder("a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "b4", "b5");
                    byId.forEach((id, list) -> {
                        assertThat(list).as("results of %s", id).hasSize(1);
                        assertThat(list.getFirst().get("state").asText()).isEqualTo("completed");
                        assertThat(list.getFirst().get("device").asText()).isEqualTo(id.startsWith("a") ? A : B);
                    });
                    assertThat(aReceived).as("a's responder: a's commands only, in order, once")
                            .containsExactly("a-step-1", "a-step-2", "a-step-3", "a-step-4", "a-step-5");
                    assertThat(bReceived).as("b's responder: b's commands only, in order, once")
                            .containsExactly("b-step-1", "b-step-2", "b-step-3", "b-step-4", "b-step-5");
                    assertThat(bridgeB.skipped()).as("b passed over a's six records and c's").isEqualTo(7);

                    // Each device's desired state is its own entries, without the device's part of the key; the id
                    // names its own last record, not the topic's.
                    JsonNode desiredA = awaitDesiredStatus(a);
                    assertThat(desiredA.get("desired_id").asText()).isEqualTo("desired-2");
                    assertThat(desiredA.get("desired").toString()).isEqualTo(
                            "{\"output/relay\":{\"level\":\"high\"},\"sensor/temperature\":{\"period\":\"5s\"}}");
                    JsonNode desiredB = awaitDesiredStatus(b);
                    assertThat(desiredB.get("desired_id").asText()).isEqualTo("desired-3");
                    assertThat(desiredB.get("desired").toString()).isEqualTo(
                            "{\"output/relay\":{\"level\":\"low\"},\"sensor/temperature\":{\"period\":\"1s\"}}");

                    // Only a neighbour's command comes now: b commits past it within its 10 s all the same.
                    CommandTestClients.send(bootstrap, COMMANDS, ABSENT,
                            List.<String[]>of(new String[] {"c2", "relay", "c-step-2", null, null}));
                    assertThat(awaitCommittedAtEnd(bootstrap, "edge-commands-" + B, Duration.ofSeconds(30)))
                            .as("b's committed position reaches the end of the group's topic").isTrue();
                } finally {
                    bridgeB.close();
                    aResponder.disconnect();
                    aResponder.close();
                    bResponder.disconnect();
                    bResponder.close();
                }
            }
            // A restart of b: nothing it skipped or carried out is delivered again, and no second result is written.
            List<String> bAfterRestart = new CopyOnWriteArrayList<>();
            try (EdgeBrokerService serviceB = EdgeBrokerService.startWithoutBridge(b)) {
                CommandBridge bridgeB = new CommandBridge(b.bridge(), B, "tcp://127.0.0.1:" + portB,
                        InstantSource.system());
                bridgeB.start();
                MqttClient bResponder = CommandTestClients.responder(portB, "responder-" + B + "-2",
                        "edge/" + B + "/commands/relay", (t, payload) -> bAfterRestart.add(payload));
                try {
                    CommandTestClients.send(bootstrap, COMMANDS, B,
                            List.<String[]>of(new String[] {"b6", "relay", "b-step-6", null, null}));
                    Map<String, List<JsonNode>> byId = CommandTestClients.results(bootstrap, RESULTS, 11,
                            Duration.ofSeconds(90), Duration.ofSeconds(3));
                    assertThat(byId).hasSize(11).containsKey("b6");
                    byId.forEach((id, list) -> assertThat(list).as("results of %s", id).hasSize(1));
                    assertThat(bAfterRestart).as("after b's restart only its new command").containsExactly("b-step-6");
                } finally {
                    bridgeB.close();
                    bResponder.disconnect();
                    bResponder.close();
                }
            }
        }
    }

    /** {@code bin/edge kafka topics --create --partitions 1} with the device's configuration; its report. */
    private static String createTopics(Path dataDir, String device, int mqttPort, String bootstrap) throws Exception {
        Path file = dataDir.resolve("device.yaml");
        Files.writeString(file, yaml(device, mqttPort, bootstrap));
        java.io.ByteArrayOutputStream report = new java.io.ByteArrayOutputStream();
        int status = Main.run(List.of("kafka", "topics", "--config", file.toString(), "--data-dir", dataDir.toString(),
                "--create", "--partitions", "1"), new java.io.PrintStream(report, true, StandardCharsets.UTF_8),
                System.err);
        String text = report.toString(StandardCharsets.UTF_8);
        assertThat(status).as(text).isZero();
        return text;
    }

    private static void produceDesired(String bootstrap, List<String[]> records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            for (String[] r : records) {
                producer.send(new ProducerRecord<>(DESIRED, r[0], r[1])).get();
            }
        }
    }

    /** The device's {@code desired.status} once it names a document. */
    private static JsonNode awaitDesiredStatus(DeviceConfig config) throws Exception {
        Path file = config.bridge().commands().directory().resolve(DesiredStatusFile.NAME);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                last = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
                if (!last.path("desired_id").isNull()) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no desired state in " + file + " within 30 s: " + last);
    }

    private static boolean awaitCommittedAtEnd(String bootstrap, String group, Duration within) throws Exception {
        TopicPartition partition = new TopicPartition(COMMANDS, 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset();
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline) {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get().get(partition);
                if (committed != null && committed.offset() >= end) {
                    return true;
                }
                Thread.sleep(500);
            }
            return false;
        }
    }
}
