package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands through a WAN outage: Kafka (in a child JVM) is frozen with SIGSTOP, as a hung link would leave it, after
 * the device stored its commands. The commands are still delivered and answered on the device meanwhile, their
 * results wait in the device's queue ({@code bin/edge status} says how many), and once Kafka is thawed every command
 * has exactly one result there.
 */
@Timeout(300)
class CommandKafkaOutageIT {
    private static final String DEVICE = "it-cmd-outage";
    private static final String COMMANDS = "edge.commands." + DEVICE;
    private static final String RESULTS = "it.command-results.outage";
    private static final int COUNT = 10;

    @Test
    void storedCommandsAreDeliveredDuringTheOutage_andTheirResultsReachKafkaOnceAfterIt(@TempDir Path dir)
            throws Exception {
        try (KafkaChild kafka = KafkaChild.start(dir.resolve("kafka"), dir.resolve("kafka.log"))) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin admin = Admin.create(p)) {
                admin.createTopics(List.of(new NewTopic(COMMANDS, 1, (short) 1), new NewTopic(RESULTS, 1, (short) 1)))
                        .all().get();
            }
            int port = TestDevice.freePort();
            int metricsPort = TestDevice.freePort();
            Path data = dir.resolve("device");
            String yaml = TestDevice.yaml(port, kafka.bootstrapServers(), "it.cmd-outage.data", 1000)
                    .replace("id: " + TestDevice.DEVICE, "id: " + DEVICE)
                    .replace("kafka:\n", "kafka:\n  commands:\n    enabled: true\n    results-topic: " + RESULTS + "\n")
                    .replace("sensors:\n", "monitoring: {host: 127.0.0.1, broker-port: " + metricsPort + "}\nsensors:\n");
            Files.createDirectories(data);
            Path configFile = data.resolve("device.yaml");
            Files.writeString(configFile, yaml);
            DeviceConfig config = ConfigLoader.parse(configFile, yaml, data);
            List<String> received = new CopyOnWriteArrayList<>();
            try (EdgeBrokerService broker = EdgeBrokerService.start(config)) {
                List<String[]> commands = new ArrayList<>();
                for (int i = 0; i < COUNT; i++) {
                    commands.add(new String[] {"o" + i, "valve", "step-" + i, null, null});
                }
                CommandTestClients.send(kafka.bootstrapServers(), COMMANDS, DEVICE, commands);
                Awaits.until(Duration.ofSeconds(60), () -> status(configFile, data)
                        .contains("commands: running; " + COUNT + " pending"), "the commands stored on the device");

                kafka.freeze(); // the WAN goes: nothing reaches Kafka or comes back from it
                MqttClient responder = CommandTestClients.responder(port, "valve", "edge/" + DEVICE
                        + "/commands/valve", (target, payload) -> received.add(payload));
                Awaits.until(Duration.ofSeconds(90), () -> received.size() >= COUNT,
                        "every stored command delivered while Kafka is unreachable");
                Awaits.until(Duration.ofSeconds(30), () -> status(configFile, data).contains("0 pending (0 B), "
                        + COUNT + " result(s) waiting for Kafka"), "the results waiting on the device");
                String metrics = MonitoredDevice.get(metricsPort, "/metrics").body();
                String labels = "{device=\"" + DEVICE + "\",service=\"edge-broker\"} ";
                assertThat(metrics).contains("edge_commands_results_waiting" + labels + COUNT + ".0",
                        "edge_commands_pending" + labels + "0.0", "edge_commands_running" + labels + "0.0",
                        "edge_commands_received_total" + labels + COUNT + ".0");
                kafka.thaw();

                Map<String, List<JsonNode>> byId = CommandTestClients.results(kafka.bootstrapServers(), RESULTS, COUNT,
                        Duration.ofSeconds(120), Duration.ofSeconds(2));
                assertThat(byId).hasSize(COUNT);
                byId.forEach((id, list) -> {
                    assertThat(list).as("results of %s", id).hasSize(1);
                    assertThat(list.get(0).get("state").asText()).isEqualTo("completed");
                });
                List<String> sent = new ArrayList<>();
                for (int i = 0; i < COUNT; i++) {
                    sent.add("step-" + i);
                }
                assertThat(received).as("in order, each once").containsExactlyElementsOf(sent);
                responder.disconnect();
            }
        }
    }

    private static String status(Path configFile, Path data) {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        Main.run(List.of("status", "--config", configFile.toString(), "--data-dir", data.toString()),
                new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8), System.err);
        return printed.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
