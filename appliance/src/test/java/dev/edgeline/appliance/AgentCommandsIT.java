package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.agent.bus.pi4j.Pi4jBuses;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.broker.security.ExternalCommand;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent acting on commands, end to end with real components: commands produced to the device's command topic in
 * a real KRaft Kafka, the broker service with its command bridge, the agent answering target {@code agent} with its
 * relay (a {@code digital-output}) on Pi4J's mock GPIO, results read back with read_committed, and the readings the
 * commands caused read back from the data topic. Then the safe state: the broker goes away and the relay falls back.
 */
@Timeout(300)
class AgentCommandsIT {
    private static final java.util.concurrent.atomic.AtomicInteger DEVICES = new java.util.concurrent.atomic.AtomicInteger();
    /** Each test a device of its own: its own command topic, results topic, group and transactional id. */
    private final String DEVICE = "it-agent-cmd-" + DEVICES.incrementAndGet();
    private final String COMMANDS = "edge.commands." + DEVICE;
    private final String RESULTS = "it.agent-command-results." + DEVICE;
    private final String DATA = "it.agent-commands.data." + DEVICE;
    private final String DESIRED = "edge.desired." + DEVICE;
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

    private DeviceConfig config(Path dataDir, int port) throws Exception {
        createTopics();
        return ConfigLoader.parse(Path.of("it.yaml"), yaml(port), dataDir);
    }

    private String yaml(int port) {
        return TestDevice.yaml(port, kafka.bootstrapServers(), DATA, 1000)
                .replace("id: " + TestDevice.DEVICE, "id: " + DEVICE)
                .replace("kafka:\n", "kafka:\n  commands:\n    enabled: true\n    results-topic: " + RESULTS + "\n")
                + RELAY;
    }

    private static final String RELAY = "  - {stream: relay, type: digital-output, period: 1s, gpio-pin: 23, "
            + "safe-state: low}\n";

    private void createTopics() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(COMMANDS, 1, (short) 1), new NewTopic(RESULTS, 1, (short) 1),
                    new NewTopic(DATA, 1, (short) 1), new NewTopic(DESIRED, 1, (short) 1).configs(Map.of(
                            "cleanup.policy", "compact")))).all().get();
        }
    }

    private static EdgeAgent agent(DeviceConfig config, Pi4jBuses buses) throws Exception {
        return EdgeAgent.create(config, EdgeAgent.Options.of(buses));
    }

    private static Pi4jBuses mockGpio(Path dataDir) {
        return new Pi4jBuses(List.of(MockDigitalOutputProvider.newInstance()), dataDir.resolve("w1"));
    }

    private static String[] agentCommand(String id, String json) {
        return new String[] {id, "agent", json, null, null};
    }

    @Test
    void theAgentSwitchesItsRelay_changesSampling_readsNow_andRefusesNonsense_eachWithOneResult(
            @TempDir Path dataDir) throws Exception {
        int port = TestDevice.freePort();
        DeviceConfig config = config(dataDir, port);
        ConcurrentLinkedQueue<BridgedRecordCollector.Seen> data = new ConcurrentLinkedQueue<>();
        Pi4jBuses buses = mockGpio(dataDir);
        try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(), List.of(DATA),
                data::add);
             EdgeBrokerService broker = EdgeBrokerService.start(config);
             EdgeAgent agent = agent(config, buses)) {
            collector.start();
            agent.start();
            MockDigitalOutput relay = buses.pi4j().io("gpio-23");
            assertThat(relay.state()).as("opened at its safe state").isEqualTo(DigitalState.LOW);

            List<String[]> commands = new ArrayList<>();
            commands.add(agentCommand("relay-on", "{\"action\":\"set-output\",\"output\":\"relay\",\"level\":\"high\"}"));
            commands.add(agentCommand("fast", "{\"action\":\"set-period\",\"sensor\":\"temperature\",\"period\":\"100ms\"}"));
            commands.add(agentCommand("quiet", "{\"action\":\"disable\",\"sensor\":\"humidity\"}"));
            commands.add(agentCommand("read-door", "{\"action\":\"read\",\"sensor\":\"door\"}"));
            commands.add(agentCommand("no-valve", "{\"action\":\"set-output\",\"output\":\"valve\",\"level\":\"high\"}"));
            commands.add(agentCommand("garbage", "not json {"));
            CommandTestClients.send(kafka.bootstrapServers(), COMMANDS, DEVICE, commands);

            Map<String, List<JsonNode>> byId = CommandTestClients.results(kafka.bootstrapServers(), RESULTS, 6,
                    Duration.ofSeconds(90), Duration.ofSeconds(1));
            assertThat(byId.keySet()).containsExactlyInAnyOrder("relay-on", "fast", "quiet", "read-door", "no-valve",
                    "garbage");
            byId.forEach((id, list) -> assertThat(list).as("results of %s", id).hasSize(1));
            assertThat(byId.get("relay-on").get(0).get("state").asText()).isEqualTo("completed");
            assertThat(byId.get("relay-on").get(0).get("response").toString())
                    .isEqualTo("{\"output\":\"relay\",\"level\":\"high\",\"before\":\"low\"}");
            assertThat(relay.state()).isEqualTo(DigitalState.HIGH);
            assertThat(byId.get("fast").get(0).get("response").get("period").asText()).isEqualTo("100ms");
            assertThat(byId.get("quiet").get(0).get("response").get("enabled").asBoolean()).isFalse();
            assertThat(byId.get("no-valve").get(0).get("state").asText()).isEqualTo("rejected");
            assertThat(byId.get("no-valve").get(0).get("reason").asText())
                    .isEqualTo("no digital-output 'valve'; outputs: relay");
            assertThat(byId.get("garbage").get(0).get("state").asText()).isEqualTo("rejected");
            assertThat(byId.get("garbage").get(0).get("reason").asText()).startsWith("payload is not");
            JsonNode read = byId.get("read-door").get(0).get("response").get("readings").get(0);
            long readSeq = read.get("seq").asLong();

            // What the commands caused is in Kafka like every reading: the relay's switch as an edge event, the
            // reading taken on request under the seq the answer gave, and temperature at its new rate.
            Awaits.until(Duration.ofSeconds(60), () -> data.stream().anyMatch(r ->
                    r.identity().stream().equals("relay") && r.payload().startsWith("{\"value\":1,\"unit\":\"\","
                            + "\"event\":\"edge\"")), "the relay's switch in Kafka");
            Awaits.until(Duration.ofSeconds(60), () -> collector.contains(new BridgedRecordCollector.Identity(DEVICE,
                    "door", agent.boot(), readSeq)), "the reading taken on request in Kafka");
            long temperatureBefore = data.stream().filter(r -> r.identity().stream().equals("temperature")).count();
            long humidityBefore = data.stream().filter(r -> r.identity().stream().equals("humidity")).count();
            Thread.sleep(3_000);
            long temperatureGained = data.stream().filter(r -> r.identity().stream().equals("temperature")).count()
                    - temperatureBefore;
            assertThat(temperatureGained).as("about 30 readings in 3 s at 100 ms").isBetween(15L, 40L);
            assertThat(data.stream().filter(r -> r.identity().stream().equals("humidity")).count() - humidityBefore)
                    .as("disabled: at most one in flight").isLessThanOrEqualTo(1);
            assertThat(collector.duplicates()).isZero();
            assertThat(collector.orderViolations()).isEmpty();

            // The broker goes away: nothing could switch the relay back, so it falls to its safe state.
            broker.close();
            Awaits.until(Duration.ofSeconds(30), () -> relay.state() == DigitalState.LOW, "the relay's safe state");
        }
    }

    @Test
    void settingsChangedByCommand_surviveAnAgentRestart(@TempDir Path dataDir) throws Exception {
        int port = TestDevice.freePort();
        DeviceConfig config = config(dataDir, port);
        try (EdgeBrokerService broker = EdgeBrokerService.start(config)) {
            try (EdgeAgent agent = agent(config, mockGpio(dataDir))) {
                agent.start();
                CommandTestClients.send(kafka.bootstrapServers(), COMMANDS, DEVICE, List.<String[]>of(agentCommand(
                        "slow-door", "{\"action\":\"set-period\",\"sensor\":\"door\",\"period\":\"2m\"}")));
                Map<String, List<JsonNode>> byId = CommandTestClients.results(kafka.bootstrapServers(), RESULTS, 1,
                        Duration.ofSeconds(60), Duration.ofMillis(200));
                assertThat(byId).containsKey("slow-door");
                Awaits.until(Duration.ofSeconds(30), () -> edge(dataDir, port, "status").contains(
                        "commands: running; 0 pending (0 B), 0 result(s) waiting for Kafka; 1 read and 1 result(s) "
                                + "written since start"), "the command bridge's report in edge status");
            }
            try (EdgeAgent restarted = agent(config, mockGpio(dataDir))) {
                assertThat(restarted.sensorControls().get("door").settings().period()).isEqualTo(Duration.ofMinutes(2));
                assertThat(restarted.controlStatus()).contains("{\"sensor\":\"door\",\"period\":\"2m\",\"enabled\":true,"
                        + "\"configured\":false}");
            }
        }
    }

    /**
     * On a broker with a password file: the command bridge logs in as its own user, the agent as its own, a
     * third-party relay controller as its own with ACLs for its own target. Each answers its commands; a user
     * without an ACL for another's target can neither read its commands nor answer them.
     */
    @Test
    void onABrokerWithPasswords_eachResponderAnswersOnlyItsOwnTarget(@TempDir Path dataDir) throws Exception {
        String passwords = dataDir.resolve("mqtt.passwd").toString();
        ExternalCommand.run(List.of("mosquitto_passwd", "-c", "-b", "-I", "20000", passwords, "edge-agent", "a-secret"));
        ExternalCommand.run(List.of("mosquitto_passwd", "-b", "-I", "20000", passwords, "commands", "c-secret"));
        ExternalCommand.run(List.of("mosquitto_passwd", "-b", "-I", "20000", passwords, "pump", "p-secret"));
        ExternalCommand.run(List.of("mosquitto_passwd", "-b", "-I", "20000", passwords, "intruder", "i-secret"));
        java.nio.file.Files.writeString(dataDir.resolve("agent.password"), "a-secret\n");
        java.nio.file.Files.writeString(dataDir.resolve("commands.password"), "c-secret\n");
        int port = TestDevice.freePort();
        createTopics();
        String yaml = TestDevice.yaml(port, kafka.bootstrapServers(), DATA, 1000)
                .replace("id: " + TestDevice.DEVICE, "id: " + DEVICE)
                .replace("  data-directory: broker\n", "  data-directory: broker\n  auth:\n    password-file: mqtt.passwd\n"
                        + "    clients:\n"
                        + "      - {user: pump, subscribe: [\"edge/{device}/commands/{user}\"], "
                        + "publish: [\"edge/{device}/commands/{user}/response\"]}\n"
                        + "      - {user: intruder, subscribe: [\"lan/#\"], publish: [\"lan/#\"]}\n")
                .replace("  state-directory: agent\n", "  state-directory: agent\n  username: edge-agent\n"
                        + "  password-file: agent.password\n")
                .replace("kafka:\n", "kafka:\n  commands:\n    enabled: true\n    results-topic: " + RESULTS
                        + "\n    mqtt-username: commands\n    mqtt-password-file: commands.password\n") + RELAY;
        DeviceConfig config = ConfigLoader.parse(Path.of("it.yaml"), yaml, dataDir);
        List<String> pumpReceived = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (EdgeBrokerService broker = EdgeBrokerService.start(config);
             EdgeAgent agent = agent(config, mockGpio(dataDir))) {
            agent.start();
            org.eclipse.paho.mqttv5.client.MqttClient pump = CommandTestClients.responder(port, "pump", "pump",
                    "p-secret", "edge/" + DEVICE + "/commands/pump", (t, payload) -> pumpReceived.add(payload));
            // The intruder may connect, but not subscribe to the pump's commands nor answer them.
            var intruder = new org.eclipse.paho.mqttv5.client.MqttAsyncClient("tcp://127.0.0.1:" + port, "intruder",
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            var login = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
            login.setUserName("intruder");
            login.setPassword("i-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            intruder.connect(login).waitForCompletion(10_000);
            var sub = intruder.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                    new org.eclipse.paho.mqttv5.common.MqttSubscription("edge/" + DEVICE + "/commands/+", 1)},
                    null, null, new org.eclipse.paho.mqttv5.common.packet.MqttProperties());
            sub.waitForCompletion(10_000);
            assertThat(sub.getReasonCodes()).as("SUBACK").containsExactly(0x87);
            var fake = new org.eclipse.paho.mqttv5.common.MqttMessage("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            fake.setQos(1);
            var answered = intruder.publish("edge/" + DEVICE + "/commands/pump/response", fake);
            org.assertj.core.api.Assertions.catchThrowable(() -> answered.waitForCompletion(10_000));
            assertThat(answered.getReasonCodes()).as("PUBACK of an answer to another's command").containsExactly(0x87);

            CommandTestClients.send(kafka.bootstrapServers(), COMMANDS, DEVICE, List.of(
                    agentCommand("status", "{\"action\":\"status\"}"),
                    new String[] {"pump-on", "pump", "on", null, null}));
            Map<String, List<JsonNode>> byId = CommandTestClients.results(kafka.bootstrapServers(), RESULTS, 2,
                    Duration.ofSeconds(60), Duration.ofSeconds(1));
            assertThat(byId.keySet()).containsExactlyInAnyOrder("status", "pump-on");
            assertThat(byId.get("status").get(0).get("state").asText()).isEqualTo("completed");
            assertThat(byId.get("status").get(0).get("response").get("outputs").get(0).get("output").asText())
                    .isEqualTo("relay");
            assertThat(byId.get("pump-on").get(0).get("response").get("done").asText()).isEqualTo("on");
            assertThat(pumpReceived).containsExactly("on");
            pump.disconnect();
            if (intruder.isConnected()) {
                intruder.disconnect().waitForCompletion(5_000);
            }
            intruder.close();
        }
    }

    /** Writes desired-state records (key, JSON value or null for a tombstone) to the device's compacted topic. */
    private void desire(String... keysAndValues) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
        p.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(p)) {
            for (int i = 0; i < keysAndValues.length; i += 2) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(DESIRED, keysAndValues[i],
                        keysAndValues[i + 1])).get();
            }
        }
    }

    /**
     * Desired state: records on the device's compacted topic are applied by the agent and answered with what it
     * applied (a result per version); the relay returns to its desired level after a broker loss put it in its safe
     * state; a restart with nothing new applies nothing twice; a later record changes it again.
     */
    @Test
    void desiredState_isApplied_reportedOnce_andOutlivesABrokerLoss(@TempDir Path dataDir) throws Exception {
        int port = TestDevice.freePort();
        DeviceConfig config = config(dataDir, port);
        desire("sensor/temperature", "{\"period\":\"200ms\"}", "output/relay", "{\"level\":\"high\"}",
                "sensor/humidity", "{\"enabled\":false}", "sensor/humidity", null, "bogus", "{}");
        Pi4jBuses buses = mockGpio(dataDir);
        try (EdgeAgent agent = agent(config, buses)) {
            agent.start();
            MockDigitalOutput relay = buses.pi4j().io("gpio-23");
            try (EdgeBrokerService broker = EdgeBrokerService.start(config)) {
                Map<String, List<JsonNode>> byId = CommandTestClients.results(kafka.bootstrapServers(), RESULTS, 1,
                        Duration.ofSeconds(60), Duration.ofSeconds(1));
                assertThat(byId.keySet()).containsExactly("desired-4");
                JsonNode applied = byId.get("desired-4").get(0).get("response").get("applied");
                assertThat(applied.get("sensors").toString()).contains(
                        "{\"sensor\":\"temperature\",\"period\":\"200ms\",\"enabled\":true,\"configured\":false}",
                        "{\"sensor\":\"humidity\",\"period\":\"1s\",\"enabled\":true,\"configured\":true}");
                assertThat(applied.get("outputs").toString()).isEqualTo("[{\"output\":\"relay\",\"level\":\"high\"}]");
                assertThat(relay.state()).isEqualTo(DigitalState.HIGH);
            }
            Awaits.until(Duration.ofSeconds(30), () -> relay.state() == DigitalState.LOW, "the safe state");
            try (EdgeBrokerService broker = EdgeBrokerService.start(config)) {
                Awaits.until(Duration.ofSeconds(60), () -> relay.state() == DigitalState.HIGH,
                        "the desired level once commands reach the agent again");
                Thread.sleep(3_000); // room for a second result of the same version (there must be none)
                desire("output/relay", "{\"level\":\"low\"}");
                Map<String, List<JsonNode>> byId = CommandTestClients.results(kafka.bootstrapServers(), RESULTS, 2,
                        Duration.ofSeconds(60), Duration.ofSeconds(1));
                assertThat(byId.keySet()).containsExactlyInAnyOrder("desired-4", "desired-5");
                byId.forEach((id, list) -> assertThat(list).as("results of %s", id).hasSize(1));
                assertThat(relay.state()).isEqualTo(DigitalState.LOW);
                assertThat(desiredReport(dataDir, port)).endsWith("in sync\n")
                        .contains("output/relay {\"level\":\"low\"}", "  output/relay low");
                // The device's own view, without Kafka: edge status.
                Awaits.until(Duration.ofSeconds(30), () -> edge(dataDir, port, "status").contains(
                        "desired state: in sync (desired-5, as last read from Kafka)"), "in sync in edge status");
                assertThat(edge(dataDir, port, "status")).contains(
                        "  output/relay desired {\"level\":\"low\"}, reported {\"level\":\"low\"}",
                        "  sensor/temperature desired {\"period\":\"200ms\"}, reported {\"period\":\"200ms\","
                                + "\"enabled\":true,\"configured\":false}");
                desire("sensor/door", "{\"period\":\"soon\"}");
                Awaits.until(Duration.ofSeconds(60), () -> desiredReport(dataDir, port).contains("REJECTED"),
                        "the rejection reported");
                assertThat(desiredReport(dataDir, port)).contains("REJECTED: desired state not applied: "
                        + "sensor/door: period 'soon' is not a duration such as 250ms, 5s or 2m");
                Awaits.until(Duration.ofSeconds(30), () -> edge(dataDir, port, "status").contains(
                        "desired state: rejected: desired state not applied: sensor/door: period 'soon' is not a "
                                + "duration such as 250ms, 5s or 2m (desired-6, as last read from Kafka)"),
                        "the rejection in edge status");
            }
        }
    }

    /** What {@code edge command desired} prints for this device. */
    private String desiredReport(Path dataDir, int port) {
        return edge(dataDir, port, "command", "desired", "--device", DEVICE);
    }

    /** What {@code bin/edge <args> --config <this device's file> --data-dir <dataDir>} prints. */
    private String edge(Path dataDir, int port, String... args) {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        Path file = dataDir.resolve("edge-it.yaml");
        try {
            java.nio.file.Files.writeString(file, yaml(port));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(args));
        command.addAll(List.of("--config", file.toString(), "--data-dir", dataDir.toString()));
        Main.run(command, new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8), System.err);
        return printed.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
