package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command bridge in a child JVM, killed with SIGKILL at random moments 6 times while commands for three targets
 * stream in from Kafka and a Paho responder answers them: in the broker's process (the broker killed with it), and
 * in {@code edge-bridge}'s own process beside a broker that keeps running. Every command ends in exactly one
 * result in Kafka (read_committed), every one completed: none lost, none answered twice in Kafka; each target's
 * commands reached the responder in the order they were sent. A command the broker had passed on before a kill may
 * reach the responder again (counted and printed; the contract says so).
 */
@Timeout(600)
class CommandCrashIT {
    private static final java.util.concurrent.atomic.AtomicInteger DEVICES = new java.util.concurrent.atomic.AtomicInteger();
    private final String DEVICE = "it-cmd-crash-" + DEVICES.incrementAndGet();
    private final String COMMANDS = "edge.commands." + DEVICE;
    private final String RESULTS = "it.command-results.crash." + DEVICE;
    private static final int COMMAND_COUNT = 300;
    private static final int KILLS = 6;

    @Test
    void sixSigkills_everyCommandEndsInOneResult_nothingLost_orderPerTargetKept(@TempDir Path dir) throws Exception {
        run(dir, false);
    }

    @Test
    void sixSigkillsOfTheBridgeInItsOwnProcess_everyCommandEndsInOneResult_orderPerTargetKept(@TempDir Path dir)
            throws Exception {
        run(dir, true);
    }

    /** With {@code separate}, the broker runs on and the bridge's own process is the one killed. */
    private void run(Path dir, boolean separate) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            createTopics(kafka);
            int port = TestDevice.freePort();
            Path data = dir.resolve("device");
            Files.createDirectories(data);
            Path config = data.resolve("device.yaml");
            Files.writeString(config, TestDevice.yaml(port, kafka.bootstrapServers(), "it.cmd-crash.data", 1000)
                    .replace("id: " + TestDevice.DEVICE, "id: " + DEVICE)
                    .replace("kafka:\n", "kafka:\n  commands:\n    enabled: true\n    results-topic: " + RESULTS
                            + "\n"));
            Path log = dir.resolve("broker.log");
            CommandLoad load = new CommandLoad(kafka.bootstrapServers(), DEVICE, port, 3, Duration.ofMillis(40),
                    COMMAND_COUNT);
            Process broker = separate ? ChildService.start("broker", config, data, log, "--bridge", "separate")
                    : ChildService.start("broker", config, data, log);
            Path bridgeLog = dir.resolve("bridge.log");
            Process bridge = null;
            if (separate) {
                Awaits.until(Duration.ofSeconds(60), () -> TestDevice.listening(port), "the broker to listen");
                bridge = ChildService.start("bridge", config, data, bridgeLog);
            }
            load.start();
            Random random = new Random(21);
            try {
                for (int kill = 0; kill < KILLS; kill++) {
                    Awaits.until(Duration.ofSeconds(60), () -> TestDevice.listening(port), "the broker to listen");
                    Thread.sleep(1_000 + random.nextInt(3_000));
                    if (separate) {
                        ChildService.kill(bridge);
                        bridge = ChildService.start("bridge", config, data, bridgeLog);
                    } else {
                        ChildService.kill(broker);
                        broker = ChildService.start("broker", config, data, log);
                    }
                }
                load.awaitSent(Duration.ofSeconds(120));
                Map<String, List<JsonNode>> results = readResults(kafka, Duration.ofSeconds(120));
                assertThat(results.keySet()).as("a result for every command (logs: %s, %s)", log, bridgeLog)
                        .hasSize(COMMAND_COUNT);
                results.forEach((id, list) -> {
                    assertThat(list).as("results of %s", id).hasSize(1);
                    assertThat(list.get(0).get("state").asText()).as("state of %s", id).isEqualTo("completed");
                    assertThat(list.get(0).get("response").get("done").asText()).isEqualTo(id);
                });
                for (int t = 0; t < 3; t++) {
                    List<String> sent = new ArrayList<>();
                    for (int i = t; i < COMMAND_COUNT; i += 3) {
                        sent.add("c" + i);
                    }
                    assertThat(new ArrayList<>(new LinkedHashSet<>(load.receivedPerTarget().get("t" + t))))
                            .as("target t%d: commands in the order sent, each at least once", t)
                            .containsExactlyElementsOf(sent);
                }
                System.out.printf("CommandCrashIT (%s): %d commands, %d deliveries to the responder (%d again after "
                        + "a kill)%n", separate ? "bridge apart" : "bridge in the broker", COMMAND_COUNT,
                        load.received().size(), load.received().size() - COMMAND_COUNT);
            } finally {
                load.close();
                if (bridge != null) {
                    ChildService.stop(bridge);
                }
                ChildService.stop(broker);
            }
        }
    }

    private void createTopics(EmbeddedKafka kafka) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(COMMANDS, 1, (short) 1), new NewTopic(RESULTS, 1, (short) 1)))
                    .all().get();
        }
    }

    private Map<String, List<JsonNode>> readResults(EmbeddedKafka kafka, Duration within) throws Exception {
        return CommandTestClients.results(kafka.bootstrapServers(), RESULTS, COMMAND_COUNT, within,
                Duration.ofSeconds(2));
    }

}
