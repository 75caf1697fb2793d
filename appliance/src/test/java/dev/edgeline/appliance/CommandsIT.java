package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cloud-to-device commands with real components: commands produced to the device's command topic in a real KRaft
 * Kafka, the broker service with its command bridge, Paho MQTT 5 responders on the device's broker, and the results
 * read back with read_committed. Every command ends in exactly one result.
 */
@Timeout(300)
class CommandsIT {
    private static final java.util.concurrent.atomic.AtomicInteger DEVICES = new java.util.concurrent.atomic.AtomicInteger();
    /** Each test a device of its own: its own command topic, group and transactional id. */
    private final String DEVICE = "it-cmd-" + DEVICES.incrementAndGet();
    private final String COMMANDS = "edge.commands." + DEVICE;
    private static final ObjectMapper JSON = new ObjectMapper();
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

    private String yaml(int mqttPort, String resultsTopic, long maxQueueBytes) {
        return TestDevice.yaml(mqttPort, kafka.bootstrapServers(), "it.commands.data", 1000)
                .replace("id: " + TestDevice.DEVICE, "id: " + DEVICE)
                .replace("kafka:\n", "kafka:\n  commands:\n    enabled: true\n    results-topic: " + resultsTopic
                        + "\n    max-queue-bytes: " + maxQueueBytes + "\n");
    }

    private DeviceConfig config(Path dataDir, int mqttPort, String resultsTopic, long maxQueueBytes) {
        String yaml = yaml(mqttPort, resultsTopic, maxQueueBytes);
        try {
            return dev.edgeline.config.ConfigLoader.parse(Path.of("it.yaml"), yaml, dataDir);
        } catch (dev.edgeline.config.InvalidConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static void createTopics(String... topics) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            List<NewTopic> wanted = new ArrayList<>();
            for (String topic : topics) {
                if (!admin.listTopics().names().get().contains(topic)) {
                    wanted.add(new NewTopic(topic, 1, (short) 1));
                }
            }
            admin.createTopics(wanted).all().get();
        }
    }

    /** Sends commands: {id, target, payload, expires_at or null, response or null} each. */
    private void send(List<String[]> commands) throws Exception {
        CommandTestClients.send(kafka.bootstrapServers(), COMMANDS, DEVICE, commands);
    }

    /** Reads results (read_committed) until {@code count} arrived and a second more passed; by command id. */
    private Map<String, List<JsonNode>> results(String topic, int count, Duration within) throws Exception {
        return CommandTestClients.results(kafka.bootstrapServers(), topic, count, within, Duration.ofSeconds(1));
    }

    /** A responder on one target (see {@link CommandTestClients#responder}); what it receives goes to {@code received}. */
    private MqttClient responder(int port, String target, List<String> received) throws Exception {
        return CommandTestClients.responder(port, "responder-" + DEVICE + "-" + target,
                "edge/" + DEVICE + "/commands/" + target, (t, payload) -> received.add(payload));
    }

    @Test
    void everyCommandEndsInExactlyOneResult_inOrderPerTarget(@TempDir Path dataDir) throws Exception {
        String results = "it.command-results.one";
        createTopics(COMMANDS, results);
        int port = TestDevice.freePort();
        List<String> relayReceived = new CopyOnWriteArrayList<>();
        List<String> lampReceived = new CopyOnWriteArrayList<>();
        String past = Instant.now().minusSeconds(60).toString();
        String soon = Instant.now().plusSeconds(4).toString();
        try (EdgeBrokerService service = EdgeBrokerService.start(config(dataDir, port, results, 1 << 20))) {
            MqttClient relay = responder(port, "relay", relayReceived);
            MqttClient lamp = new MqttClient("tcp://127.0.0.1:" + port, "lamp-" + DEVICE, new MemoryPersistence());
            lamp.connect();
            // (the one-filter subscribe with a listener recurses into itself in Paho 1.2.5: the array form works)
            lamp.subscribe(new MqttSubscription[] {new MqttSubscription("edge/" + DEVICE + "/commands/lamp", 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(topic, message) ->
                            lampReceived.add(new String(message.getPayload(), StandardCharsets.UTF_8))});
            List<String[]> commands = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                commands.add(new String[] {"r" + i, "relay", "step-" + i, null, null});
            }
            commands.add(new String[] {"r1", "relay", "step-1 again", null, null}); // the same id: once
            commands.add(new String[] {"bad", "relay", "reject", null, null});
            commands.add(new String[] {"late", "relay", "x", past, null});
            commands.add(new String[] {"lamp-on", "lamp", "on", null, "none"});
            commands.add(new String[] {"nobody", "fan", "spin", soon, null});
            commands.add(new String[] {"no-target", null, "x", null, null});
            commands.add(new String[] {"bad-expiry", "relay", "x", "tomorrow", null});
            send(commands);

            Map<String, List<JsonNode>> byId = results(results, 11, Duration.ofSeconds(60));
            assertThat(byId.keySet()).containsExactlyInAnyOrder("r1", "r2", "r3", "r4", "r5", "bad", "late",
                    "lamp-on", "nobody", "no-target", "bad-expiry");
            byId.forEach((id, list) -> assertThat(list).as("results of %s", id).hasSize(1));
            for (int i = 1; i <= 5; i++) {
                JsonNode r = byId.get("r" + i).get(0);
                assertThat(r.get("state").asText()).isEqualTo("completed");
                assertThat(r.get("response").get("done").asText()).isEqualTo("step-" + i);
                assertThat(r.get("target").asText()).isEqualTo("relay");
                assertThat(r.get("device").asText()).isEqualTo(DEVICE);
            }
            assertThat(relayReceived).as("order per target, each command once")
                    .containsExactly("step-1", "step-2", "step-3", "step-4", "step-5", "reject");
            assertThat(byId.get("bad").get(0).get("state").asText()).isEqualTo("rejected");
            assertThat(byId.get("bad").get(0).get("reason").asText()).isEqualTo("relay stuck");
            assertThat(byId.get("late").get(0).get("state").asText()).isEqualTo("expired");
            assertThat(byId.get("lamp-on").get(0).get("state").asText()).isEqualTo("delivered");
            assertThat(lampReceived).containsExactly("on");
            assertThat(byId.get("nobody").get(0).get("state").asText()).isEqualTo("expired");
            assertThat(byId.get("no-target").get(0).get("state").asText()).isEqualTo("rejected");
            assertThat(byId.get("no-target").get(0).get("reason").asText()).contains("no target header");
            assertThat(byId.get("bad-expiry").get(0).get("reason").asText()).contains("expires_at 'tomorrow'");
            relay.disconnect();
            lamp.disconnect();
        }
    }

    /**
     * A third-party responder with no Java in it: Debian's {@code mosquitto_sub} (MQTT 5) prints each command's
     * correlation data, response topic and payload, and a shell loop answers with {@code mosquitto_pub}, copying the
     * correlation data and rejecting with user properties, as the contract in docs/commands.md tells a device to.
     */
    @Test
    void aShellResponderWithMosquittoClients_completesAndRejects(@TempDir Path dataDir) throws Exception {
        String results = "it.command-results.shell";
        createTopics(COMMANDS, results);
        int port = TestDevice.freePort();
        String script = """
                mosquitto_sub -V mqttv5 -h 127.0.0.1 -p %1$d -i shell-%2$s -c -q 1 -t 'edge/%2$s/commands/shell' \
                    -F '%%D %%R %%p' | while read -r id topic payload; do
                  if [ "$payload" = "reject" ]; then
                    mosquitto_pub -V mqttv5 -h 127.0.0.1 -p %1$d -q 1 -t "$topic" -D publish correlation-data "$id" \
                      -D publish user-property status rejected -D publish user-property reason 'no such program' -n
                  else
                    mosquitto_pub -V mqttv5 -h 127.0.0.1 -p %1$d -q 1 -t "$topic" -D publish correlation-data "$id" \
                      -m "{\\\"ran\\\":\\\"$payload\\\"}"
                  fi
                done
                """.formatted(port, DEVICE);
        try (EdgeBrokerService service = EdgeBrokerService.start(config(dataDir, port, results, 1 << 20))) {
            Process shell = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true)
                    .redirectOutput(dataDir.resolve("shell.log").toFile()).start();
            try {
                send(List.of(new String[] {"s1", "shell", "water-on", null, null},
                        new String[] {"s2", "shell", "reject", null, null},
                        new String[] {"s3", "shell", "water-off", null, null}));
                Map<String, List<JsonNode>> byId = results(results, 3, Duration.ofSeconds(60));
                assertThat(byId.keySet()).as(java.nio.file.Files.readString(dataDir.resolve("shell.log")))
                        .containsExactlyInAnyOrder("s1", "s2", "s3");
                byId.forEach((id, list) -> assertThat(list).as("results of %s", id).hasSize(1));
                assertThat(byId.get("s1").get(0).get("state").asText()).isEqualTo("completed");
                assertThat(byId.get("s1").get(0).get("response").get("ran").asText()).isEqualTo("water-on");
                assertThat(byId.get("s2").get(0).get("state").asText()).isEqualTo("rejected");
                assertThat(byId.get("s2").get(0).get("reason").asText()).isEqualTo("no such program");
                assertThat(byId.get("s3").get(0).get("response").get("ran").asText()).isEqualTo("water-off");
            } finally {
                shell.descendants().forEach(ProcessHandle::destroy);
                shell.destroy();
                shell.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aPendingCommand_survivesARestart_andIsDeliveredOnce(@TempDir Path dataDir) throws Exception {
        String results = "it.command-results.restart";
        createTopics(COMMANDS, results);
        int port = TestDevice.freePort();
        List<String> received = new CopyOnWriteArrayList<>();
        DeviceConfig config = config(dataDir, port, results, 1 << 20);
        try (EdgeBrokerService service = EdgeBrokerService.start(config)) {
            send(List.<String[]>of(new String[] {"wait-1", "valve", "open", null, null}));
            Awaits.until(Duration.ofSeconds(30), () -> java.nio.file.Files.exists(dataDir.resolve("commands")
                    .resolve("commands.log")), "the command queue");
            Thread.sleep(2_000); // stored, not delivered: nobody subscribes to valve yet
        }
        try (EdgeBrokerService service = EdgeBrokerService.start(config)) {
            MqttClient valve = responder(port, "valve", received);
            Map<String, List<JsonNode>> byId = results(results, 1, Duration.ofSeconds(60));
            assertThat(byId).containsOnlyKeys("wait-1");
            assertThat(byId.get("wait-1")).hasSize(1);
            assertThat(byId.get("wait-1").get(0).get("state").asText()).isEqualTo("completed");
            assertThat(received).containsExactly("open");
            valve.disconnect();
        }
    }

    @Test
    void commandsSentWhileTheDeviceIsAway_areDelivered_whenItReturns_andTheExpiredOnesEndExpired(@TempDir Path dataDir)
            throws Exception {
        String results = "it.command-results.away";
        createTopics(COMMANDS, results);
        int port = TestDevice.freePort();
        DeviceConfig config = config(dataDir, port, results, 1 << 20);
        try (EdgeBrokerService service = EdgeBrokerService.start(config)) {
            Awaits.until(Duration.ofSeconds(30), () -> java.nio.file.Files.exists(dataDir.resolve("commands")
                    .resolve("commands.log")), "the command queue");
        }
        // The device is away (as behind a WAN outage): commands wait in Kafka, two of them past their time meanwhile.
        send(List.of(new String[] {"away-1", "door", "unlock", null, null},
                new String[] {"away-short", "door", "lock", Instant.now().plusSeconds(2).toString(), null},
                new String[] {"away-2", "door", "lock", null, null},
                new String[] {"away-short-2", "door", "x", Instant.now().plusSeconds(2).toString(), null}));
        Thread.sleep(3_000);
        List<String> received = new CopyOnWriteArrayList<>();
        try (EdgeBrokerService service = EdgeBrokerService.start(config)) {
            MqttClient door = responder(port, "door", received);
            Map<String, List<JsonNode>> byId = results(results, 4, Duration.ofSeconds(60));
            assertThat(byId.keySet()).containsExactlyInAnyOrder("away-1", "away-short", "away-2", "away-short-2");
            byId.forEach((id, list) -> assertThat(list).as("results of %s", id).hasSize(1));
            assertThat(byId.get("away-short").get(0).get("state").asText()).isEqualTo("expired");
            assertThat(byId.get("away-short").get(0).get("reason").asText()).contains("before the device received it");
            assertThat(byId.get("away-short-2").get(0).get("state").asText()).isEqualTo("expired");
            assertThat(byId.get("away-1").get(0).get("state").asText()).isEqualTo("completed");
            assertThat(byId.get("away-2").get(0).get("state").asText()).isEqualTo("completed");
            assertThat(received).containsExactly("unlock", "lock");
            door.disconnect();
        }
    }

    @Test
    void beyondItsBound_theQueueRejects_saying_queueFull(@TempDir Path dataDir) throws Exception {
        String results = "it.command-results.full";
        createTopics(COMMANDS, results);
        int port = TestDevice.freePort();
        try (EdgeBrokerService service = EdgeBrokerService.start(config(dataDir, port, results, 1024))) {
            List<String[]> commands = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                commands.add(new String[] {"big-" + i, "sink", "x".repeat(400), null, null});
            }
            send(commands);
            Map<String, List<JsonNode>> byId = results(results, 1, Duration.ofSeconds(60));
            assertThat(byId).containsOnlyKeys("big-3");
            assertThat(byId.get("big-3").get(0).get("state").asText()).isEqualTo("rejected");
            assertThat(byId.get("big-3").get(0).get("reason").asText()).startsWith("queue full");
        }
    }

    @Test
    void anOperator_createsTheTopics_sendsACommand_andSeesItsResult(@TempDir Path dataDir) throws Exception {
        int port = TestDevice.freePort();
        Path file = dataDir.resolve("device.yaml");
        java.nio.file.Files.writeString(file, yaml(port, "it.command-results.cli", 1 << 20));
        java.io.ByteArrayOutputStream topics = new java.io.ByteArrayOutputStream();
        int created = Main.run(List.of("kafka", "topics", "--config", file.toString(), "--data-dir", dataDir.toString(),
                "--create"), new java.io.PrintStream(topics, true, StandardCharsets.UTF_8), System.err);
        String topicsReport = topics.toString(StandardCharsets.UTF_8);
        assertThat(created).as(topicsReport).isZero();
        assertThat(topicsReport).contains(COMMANDS + " ").contains("commands").contains("it.command-results.cli")
                .contains("command results");
        List<String> received = new CopyOnWriteArrayList<>();
        try (EdgeBrokerService service = EdgeBrokerService.start(config(dataDir, port, "it.command-results.cli",
                1 << 20))) {
            MqttClient relay = responder(port, "relay", received);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int status = Main.run(List.of("command", "send", "--config", file.toString(), "--data-dir",
                    dataDir.toString(), "--device", DEVICE, "--target", "relay", "--ttl", "1m", "--id", "cli-1",
                    "--wait", "60s", "close"), new java.io.PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            String printed = out.toString(StandardCharsets.UTF_8);
            assertThat(status).as(printed).isZero();
            assertThat(printed).contains("sent command cli-1 to " + DEVICE + "/relay")
                    .contains("\"state\":\"completed\"").contains("\"done\":\"close\"");
            assertThat(received).containsExactly("close");
            java.io.ByteArrayOutputStream bad = new java.io.ByteArrayOutputStream();
            assertThat(Main.run(List.of("command", "send", "--config", file.toString(), "--data-dir",
                    dataDir.toString(), "--device", DEVICE, "--target", "a/b", "x"), System.out,
                    new java.io.PrintStream(bad, true, StandardCharsets.UTF_8))).isEqualTo(2);
            assertThat(bad.toString(StandardCharsets.UTF_8)).contains("--target: ").contains("'/' at index 1");
            relay.disconnect();
        }
    }
}
