package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker (its own process, as on the device) is killed for 30 s and restarted while the agent samples at 50 Hz:
 * the agent buffers in its disk outbox, reconnects with backoff, and every reading reaches the spool exactly once, in
 * order.
 */
@Timeout(300)
class AgentBrokerOutageIT {

    @Test
    void brokerDownFor30Seconds_everyReadingReachesTheSpoolExactlyOnce(@TempDir Path dir) throws Exception {
        int port = TestDevice.freePort();
        Path configFile = dir.resolve("device.yaml");
        Files.writeString(configFile, """
                device: {id: outage-pi}
                broker: {listener: {host: 127.0.0.1, port: %d}}
                spool: {directory: spool, segment-bytes: 262144}
                agent: {state-directory: agent, reconnect-delay-max: 2s, outbox-sync-interval: 200ms}
                kafka:
                  bootstrap-servers: 127.0.0.1:%d
                  routes: [{mqtt-filter: "edge/#", kafka-topic: it.outage}]
                sensors:
                  - {stream: temperature, type: simulated-analog, period: 20ms, unit: "°C"}
                  - {stream: door, type: simulated-digital, period: 20ms}
                """.formatted(port, TestDevice.freePort()));
        DeviceConfig config = ConfigLoader.load(configFile, dir);
        Path log = dir.resolve("broker.log");
        Map<String, Long> acknowledgedPerStream = new ConcurrentHashMap<>();

        Process broker = ChildService.start("broker", configFile, dir, log);
        Awaits.until(Duration.ofSeconds(60), () -> TestDevice.listening(port), "broker listening");
        try (EdgeAgent agent = EdgeAgent.create(config,
                r -> acknowledgedPerStream.merge(r.stream(), 1L, Long::sum))) {
            agent.start();
            Awaits.until(Duration.ofSeconds(30), () -> agent.acknowledged() > 200, "readings flowing");

            ChildService.kill(broker);
            long acknowledgedAtOutage = agent.acknowledged();
            Thread.sleep(30_000);
            long pendingAfterOutage = agent.pending();
            assertThat(pendingAfterOutage).as("50 Hz x 2 streams x 30 s buffered").isGreaterThan(2_500);
            assertThat(agent.acknowledged() - acknowledgedAtOutage).as("nothing acknowledged while down").isLessThan(200);

            broker = ChildService.start("broker", configFile, dir, log);
            Thread.sleep(5_000);
            agent.stopSampling();
            assertThat(agent.awaitAcknowledged(Duration.ofSeconds(120))).as("outbox drained").isTrue();
            assertThat(agent.dropped()).isZero();
            System.err.println("broker outage: " + pendingAfterOutage + " readings buffered during 30 s, "
                    + agent.acknowledged() + " acknowledged in all");
        } finally {
            ChildService.stop(broker);
        }

        List<SpoolRecord> spooled = SpoolContents.read(config);
        Map<String, List<Long>> seqs = new HashMap<>();
        for (SpoolRecord r : spooled) {
            seqs.computeIfAbsent(r.stream(), s -> new ArrayList<>()).add(r.seq());
        }
        assertThat(seqs.keySet()).contains("temperature", "door");
        for (String stream : List.of("temperature", "door")) {
            List<Long> s = seqs.get(stream);
            for (int i = 0; i < s.size(); i++) {
                assertThat(s.get(i)).as("%s: seq %d once, in order", stream, i).isEqualTo(i);
            }
            assertThat((long) s.size()).as(stream + ": every acknowledged reading").isEqualTo(
                    acknowledgedPerStream.get(stream));
        }
    }
}
