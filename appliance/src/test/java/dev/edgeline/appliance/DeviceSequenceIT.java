package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.appliance.BridgedRecordCollector.Seen;
import dev.edgeline.broker.security.ExternalCommand;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party device that counts its own publishes ({@code identity: device-seq}), played by Debian's
 * {@code mosquitto_pub}: with MQTT 3.1.1 the counter is the JSON payload's {@code seq}, with MQTT 5 the user
 * properties {@code seq} and {@code boot}. A publish lost before the gateway becomes a hole that {@code edge verify}
 * reports; a resent one is dropped as a duplicate; the rest arrives once with the device's own numbers.
 */
@Timeout(180)
class DeviceSequenceIT {
    private static final String GATEWAY = "gw-pi-0004";

    @Test
    void theDevicesOwnSeq_makesALostPublishAHoleInKafka_andAResentOneADuplicate(@TempDir Path dir) throws Exception {
        String passwords = dir.resolve("mqtt.passwd").toString();
        ExternalCommand.run(List.of("mosquitto_passwd", "-c", "-b", "-I", "20000", passwords, "esp32-boiler",
                "boiler-secret"));
        ExternalCommand.run(List.of("mosquitto_passwd", "-b", "-I", "20000", passwords, "edge-agent", "agent-secret"));
        Files.writeString(dir.resolve("agent.password"), "agent-secret\n");
        int port = TestDevice.freePort();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            DeviceConfig config = ConfigLoader.parse(Path.of("it.yaml"), """
                    device: {id: %s}
                    broker:
                      listeners:
                        - {name: local, host: 127.0.0.1, port: %d}
                      auth:
                        password-file: mqtt.passwd
                        clients:
                          - {user: esp32-boiler, publish: ["lan/boiler/#"], identity: device-seq}
                    spool: {directory: spool, segment-bytes: 262144}
                    agent: {state-directory: agent, username: edge-agent, password-file: agent.password}
                    kafka:
                      bootstrap-servers: %s
                      batch-records: 100
                      routes:
                        - {mqtt-filter: "lan/#", kafka-topic: it.lan}
                        - {mqtt-filter: "edge/+/+", kafka-topic: it.lan}
                    sensors:
                      - {stream: temperature, type: simulated-analog, period: 1s}
                    """.formatted(GATEWAY, port, kafka.bootstrapServers()), dir);
            ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
            Path lines = dir.resolve("lines.txt");
            Files.write(lines, List.of("{\"seq\":0,\"t\":60.1}", "{\"seq\":1,\"t\":60.2}", "{\"seq\":2,\"t\":60.3}",
                    "{\"seq\":4,\"t\":60.5}", "{\"seq\":5,\"t\":60.6}")); // seq 3 lost on the way
            List<String> auth = List.of("-h", "127.0.0.1", "-p", Integer.toString(port), "-u", "esp32-boiler", "-P",
                    "boiler-secret");
            try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                    List.of("it.lan"), seen::add);
                 EdgeBrokerService broker = EdgeBrokerService.start(config)) {
                collector.start();
                ExternalCommand.run(command("mqttv311", "esp32-boiler-1", "lan/boiler/flow", auth, "-l"), lines);
                // The device resends seq 2 after a reconnect: the same reading, dropped as a duplicate.
                ExternalCommand.run(command("mqttv311", "esp32-boiler-1", "lan/boiler/flow", auth,
                        "-m", "{\"seq\":2,\"t\":60.3}"));
                for (int seq = 10; seq <= 11; seq++) {
                    ExternalCommand.run(command("mqttv5", "esp32-boiler-2", "lan/boiler/door", auth, "-m", "open",
                            "-D", "publish", "user-property", "seq", Integer.toString(seq),
                            "-D", "publish", "user-property", "boot", "3"));
                }
                Awaits.until(Duration.ofSeconds(60), () -> collector.total() >= 7, "the device's records in Kafka");
                Thread.sleep(1_000); // room for a late duplicate to show up
                assertThat(broker.spool().counters().duplicates()).as("the resent seq 2").isEqualTo(1);
            }
            String device = GATEWAY + "/esp32-boiler";
            List<Seen> flow = seen.stream().filter(s -> s.identity().stream().equals("lan/boiler/flow")).toList();
            assertThat(flow).extracting(s -> s.identity().seq()).containsExactly(0L, 1L, 2L, 4L, 5L);
            assertThat(flow).allSatisfy(s -> {
                assertThat(s.identity().device()).isEqualTo(device);
                assertThat(s.identity().boot()).isZero();
            });
            List<Seen> door = seen.stream().filter(s -> s.identity().stream().equals("lan/boiler/door")).toList();
            assertThat(door).extracting(s -> s.identity().boot() + "/" + s.identity().seq())
                    .containsExactly("3/10", "3/11");

            EdgeCommand verify = EdgeCommand.run("verify", "--bootstrap", kafka.bootstrapServers(), "--topic", "it.lan");
            assertThat(verify.status()).as(verify.out()).isEqualTo(3);
            assertThat(verify.out()).containsPattern(java.util.regex.Pattern.quote(device + "/lan/boiler/flow")
                    + " +5 +0 +0 +1 \\(1\\) +1").contains("unexplained hole: seq 3..3 (1 record(s))");
        }
    }

    private static List<String> command(String version, String clientId, String topic, List<String> auth,
                                        String... rest) {
        List<String> command = new ArrayList<>(List.of("mosquitto_pub", "-V", version, "-q", "1", "-i", clientId,
                "-t", topic));
        command.addAll(auth);
        command.addAll(List.of(rest));
        return command;
    }
}
