package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Kafka is not there when the bridge starts: the broker keeps spooling, and everything arrives once it is. */
@Timeout(300)
class KafkaOutageIT {

    @Test
    void kafkaDownWhenBridgeStarts_recordsSpooledMeanwhile_allArriveOnceKafkaStarts(@TempDir Path dataDir,
                                                                                    @TempDir Path kafkaDir)
            throws Exception {
        int kafkaPort = TestDevice.freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        DeviceConfig config = TestDevice.config(dataDir, TestDevice.freePort(), bootstrap, "it.outage", 2);
        Set<Identity> published = ConcurrentHashMap.newKeySet();

        try (EdgeBrokerService broker = EdgeBrokerService.start(config);
             EdgeAgent agent = EdgeAgent.create(config, r -> published.add(
                     new Identity(r.device(), r.stream(), r.boot(), r.seq())), 1_000)) {
            agent.start();
            Awaits.until(Duration.ofSeconds(120), agent::samplingFinished, "sampling to finish");
            assertThat(agent.awaitAcknowledged(Duration.ofSeconds(60)))
                    .as("the broker acknowledges (spools) while Kafka is down").isTrue();
            assertThat(published).hasSize(3_000);
            assertThat(broker.bridge().forwarded()).isZero();
            assertThat(broker.spool().counters().appended()).isEqualTo(3_000);
            Thread.sleep(2_000); // let the bridge fail and back off at least once

            try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, kafkaPort);
                 BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                         List.of("it.outage"), r -> { })) {
                collector.start();
                Awaits.until(Duration.ofSeconds(120), () -> collector.distinctCount() >= published.size(),
                        "the spooled records in Kafka");
                Thread.sleep(1_000);
                assertThat(collector.distinct()).isEqualTo(published);
                assertThat(collector.duplicates()).isZero();
                assertThat(collector.orderViolations()).isEmpty();
            }
        }
    }
}
