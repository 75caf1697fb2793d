package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.appliance.BridgedRecordCollector.Seen;
import dev.edgeline.broker.security.ExternalCommand;
import dev.edgeline.broker.security.TestCertificates;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party device on the LAN, played by Debian's {@code mosquitto_pub} (a real MQTT 3.1.1 and 5 client), over
 * TLS with a password from a {@code mosquitto_passwd} file, through the broker and the exactly-once bridge into a
 * real Kafka: every line once, in order, with an identity that names the gateway; identity user properties it sends
 * are ignored. Beside it, the device's own agent authenticates with its user and password on the local listener and
 * its readings keep the identity it gives them.
 */
@Timeout(300)
class ThirdPartyDeviceIT {
    private static final String GATEWAY = "gw-pi-0003";
    private static final int LINES = 500;

    @Test
    void mqtt311And5Publishers_overTlsWithAPassword_arriveInKafkaExactlyOnce_inOrder_underTheGatewaysIdentity(
            @TempDir Path dir) throws Exception {
        TestCertificates certs = new TestCertificates(dir.resolve("certs"))
                .ca("server-ca").signed("server", "localhost", "server-ca", true);
        String passwords = dir.resolve("mqtt.passwd").toString();
        ExternalCommand.run(List.of("mosquitto_passwd", "-c", "-b", "-I", "20000", passwords, "esp32-kitchen",
                "kitchen-secret"));
        ExternalCommand.run(List.of("mosquitto_passwd", "-b", "-I", "20000", passwords, "edge-agent", "agent-secret"));
        Files.writeString(dir.resolve("agent.password"), "agent-secret\n");
        int tlsPort = TestDevice.freePort();
        int localPort = TestDevice.freePort();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            DeviceConfig config = ConfigLoader.parse(Path.of("it.yaml"), """
                    device: {id: %s}
                    broker:
                      listeners:
                        - {name: local, host: 127.0.0.1, port: %d}
                        - name: lan
                          host: 127.0.0.1
                          port: %d
                          tls: {cert-file: certs/server.pem, key-file: certs/server.key}
                      auth:
                        password-file: mqtt.passwd
                        clients:
                          - {user: esp32-kitchen, publish: ["lan/kitchen/#"]}
                    spool: {directory: spool, segment-bytes: 262144}
                    agent: {state-directory: agent, username: edge-agent, password-file: agent.password,
                            reconnect-delay-max: 500ms}
                    kafka:
                      bootstrap-servers: %s
                      batch-records: 100
                      routes:
                        - {mqtt-filter: "lan/#", kafka-topic: it.lan}
                        - {mqtt-filter: "edge/+/+", kafka-topic: it.lan}
                    sensors:
                      - {stream: temperature, type: simulated-analog, period: 20ms}
                    """.formatted(GATEWAY, localPort, tlsPort, kafka.bootstrapServers()), dir);
            java.util.Set<BridgedRecordCollector.Identity> agentReadings = java.util.concurrent.ConcurrentHashMap.newKeySet();
            ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
            Path lines = dir.resolve("lines.txt");
            Files.write(lines, IntStream.range(0, LINES).mapToObj(i -> "{\"reading\":" + i + "}").toList());
            try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                    List.of("it.lan"), seen::add);
                 EdgeBrokerService broker = EdgeBrokerService.start(config);
                 dev.edgeline.agent.EdgeAgent agent = dev.edgeline.agent.EdgeAgent.create(config, r -> agentReadings.add(
                         new BridgedRecordCollector.Identity(r.device(), r.stream(), r.boot(), r.seq())), 100)) {
                collector.start();
                agent.start(); // authenticates as edge-agent on the local listener; publishes with its own identity
                List<String> tls = List.of("-h", "127.0.0.1", "-p", Integer.toString(tlsPort), "--cafile",
                        certs.file("server-ca.pem").toString(), "-u", "esp32-kitchen", "-P", "kitchen-secret");
                List<String> v311 = new ArrayList<>(List.of("mosquitto_pub", "-V", "mqttv311", "-q", "1",
                        "-i", "esp32-kitchen-1", "-t", "lan/kitchen/temp", "-l"));
                v311.addAll(tls);
                ExternalCommand.run(v311, lines);
                List<String> v5 = new ArrayList<>(List.of("mosquitto_pub", "-V", "mqttv5", "-q", "1",
                        "-i", "esp32-kitchen-2", "-t", "lan/kitchen/door", "-m", "open",
                        "-D", "publish", "user-property", "device", GATEWAY,
                        "-D", "publish", "user-property", "stream", "temperature",
                        "-D", "publish", "user-property", "boot", "99",
                        "-D", "publish", "user-property", "seq", "999999"));
                v5.addAll(tls);
                ExternalCommand.run(v5);
                Awaits.until(Duration.ofSeconds(60), agent::samplingFinished, "the agent's sampling to finish");
                assertThat(agent.awaitAcknowledged(Duration.ofSeconds(60))).as("agent readings acknowledged").isTrue();
                assertThat(agentReadings).hasSize(100);
                Awaits.until(Duration.ofSeconds(90), () -> collector.total() >= LINES + 1 + 100
                        && agentReadings.stream().allMatch(collector::contains), "all records in Kafka");
                Thread.sleep(1_000); // room for late duplicates to show up
                assertThat(collector.duplicates()).isZero();
                assertThat(collector.orderViolations()).isEmpty();
            }
            List<Seen> temperature = seen.stream().filter(s -> s.headers().get("mqtt_topic").equals("lan/kitchen/temp"))
                    .toList();
            assertThat(temperature).extracting(Seen::payload)
                    .containsExactlyElementsOf(IntStream.range(0, LINES).mapToObj(i -> "{\"reading\":" + i + "}").toList());
            assertThat(temperature).extracting(s -> s.identity().seq())
                    .containsExactlyElementsOf(IntStream.range(0, LINES).mapToObj(i -> (long) i).toList());
            String device = GATEWAY + "/esp32-kitchen";
            assertThat(temperature).allSatisfy(s -> {
                assertThat(s.identity().device()).isEqualTo(device);
                assertThat(s.key()).isEqualTo(device + "/lan/kitchen/temp");
                assertThat(s.headers().get("ce_id")).startsWith(device + "/lan/kitchen/temp/");
            });
            assertThat(new HashSet<>(temperature.stream().map(s -> s.headers().get("ce_id")).toList())).hasSize(LINES);
            List<Seen> door = seen.stream().filter(s -> s.headers().get("mqtt_topic").equals("lan/kitchen/door")).toList();
            assertThat(door).as("the identity user properties it sent are ignored").singleElement().satisfies(s -> {
                assertThat(s.identity().device()).isEqualTo(device);
                assertThat(s.identity().stream()).isEqualTo("lan/kitchen/door");
                assertThat(s.identity().seq()).isZero();
            });
        }
    }
}
