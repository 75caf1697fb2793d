package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services as a provisioned device runs them: {@code bin/edge broker --bridge separate} and {@code bin/edge
 * bridge} in two processes on one spool directory, a real agent publishing at 50 Hz on two streams, Kafka in this
 * process. The broker is killed with SIGKILL and restarted while the bridge process keeps running: every reading the
 * broker acknowledged reaches Kafka exactly once, in per-stream order, forwarded by the bridge process alone.
 */
@Timeout(300)
class SeparateBridgeIT {
    @Test
    void brokerAndBridgeInTwoProcesses_brokerKilledAndRestarted_everyReadingOnceInOrder(@TempDir Path dir)
            throws Exception {
        int port = TestDevice.freePort();
        int brokerMetrics = TestDevice.freePort();
        int bridgeMetrics = TestDevice.freePort();
        Path brokerLog = dir.resolve("broker.log");
        Path bridgeLog = dir.resolve("bridge.log");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            Path configFile = dir.resolve("device.yaml");
            Files.writeString(configFile, """
                    device: {id: separate-pi}
                    broker: {listener: {host: 127.0.0.1, port: %d}}
                    spool: {directory: spool, segment-bytes: 262144}
                    agent: {state-directory: agent, reconnect-delay-max: 1s, outbox-sync-interval: 200ms}
                    kafka:
                      bootstrap-servers: %s
                      routes: [{mqtt-filter: "edge/#", kafka-topic: it.separate}]
                    monitoring: {broker-port: %d, bridge-port: %d, stall-after: 2m}
                    sensors:
                      - {stream: temperature, type: simulated-analog, period: 20ms, unit: "°C"}
                      - {stream: door, type: simulated-digital, period: 20ms}
                    """.formatted(port, kafka.bootstrapServers(), brokerMetrics, bridgeMetrics));
            DeviceConfig config = ConfigLoader.load(configFile, dir);
            Map<String, Long> acknowledgedPerStream = new ConcurrentHashMap<>();

            Process broker = ChildService.start("broker", configFile, dir, brokerLog, "--bridge", "separate");
            Process bridge = null;
            try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                    List.of("it.separate"), seen -> { })) {
                collector.start();
                Awaits.until(Duration.ofSeconds(60), () -> TestDevice.listening(port), "broker listening");
                bridge = ChildService.start("bridge", configFile, dir, bridgeLog);
                try (EdgeAgent agent = EdgeAgent.create(config,
                        r -> acknowledgedPerStream.merge(r.stream(), 1L, Long::sum))) {
                    agent.start();
                    Awaits.until(Duration.ofSeconds(60), () -> collector.distinctCount() > 200,
                            "readings forwarded by the bridge process");
                    // Each process serves its own metrics and health: the bridge's forwarding, the broker's spool.
                    MonitoredDevice.Response bridgeHealth = MonitoredDevice.get(bridgeMetrics, "/health");
                    assertThat(bridgeHealth.status()).as(bridgeHealth.body()).isEqualTo(200);
                    assertThat(bridgeHealth.body()).contains("\"service\":\"edge-bridge\"")
                            .contains("bridge FORWARDING");
                    assertThat(MonitoredDevice.get(bridgeMetrics, "/metrics").body())
                            .containsPattern("edge_bridge_forwarded_records_total\\{[^}]*service=\"edge-bridge\"[^}]*}"
                                    + " [1-9]")
                            .doesNotContain("edge_spool_appended_records_total");
                    MonitoredDevice.Response brokerHealth = MonitoredDevice.get(brokerMetrics, "/health");
                    assertThat(brokerHealth.status()).isEqualTo(200);
                    assertThat(brokerHealth.body()).contains("forwarding is edge-bridge's");
                    assertThat(MonitoredDevice.get(brokerMetrics, "/metrics").body())
                            .containsPattern("edge_spool_appended_records_total\\{[^}]*} [1-9]")
                            .containsPattern("edge_stream_lag_records\\{[^}]*stream=\"temperature\"");

                    ChildService.kill(broker);
                    Thread.sleep(3_000);
                    broker = ChildService.start("broker", configFile, dir, brokerLog, "--bridge", "separate");
                    Awaits.until(Duration.ofSeconds(60), () -> TestDevice.listening(port), "broker back");
                    Thread.sleep(3_000);
                    agent.stopSampling();
                    assertThat(agent.awaitAcknowledged(Duration.ofSeconds(120))).as("outbox drained").isTrue();
                    assertThat(agent.dropped()).isZero();
                }
                long acknowledged = acknowledgedPerStream.values().stream().mapToLong(Long::longValue).sum();
                Awaits.until(Duration.ofSeconds(120), () -> collector.distinctCount() >= acknowledged,
                        "every acknowledged reading in Kafka");
                Thread.sleep(1_000); // anything forwarded twice would show up now
                assertThat(collector.distinctCount()).isEqualTo(acknowledged);
                assertThat(collector.duplicates()).isZero();
                assertThat(collector.orderViolations()).isEmpty();
                for (String stream : List.of("temperature", "door")) {
                    long seen = collector.distinct().stream().map(Identity::stream).filter(stream::equals).count();
                    assertThat(seen).as(stream + ": every acknowledged reading").isEqualTo(
                            acknowledgedPerStream.get(stream));
                }
            } finally {
                if (bridge != null) {
                    ChildService.stop(bridge);
                }
                ChildService.stop(broker);
            }
        }
        assertThat(Files.readString(bridgeLog)).contains("forwarding exactly once");
        assertThat(Files.readString(brokerLog)).as("the broker ran without its own bridge")
                .contains("MQTT listening on").doesNotContain("forwarding exactly once");
    }
}
