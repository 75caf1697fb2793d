package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.broker.spool.AppendOutcome;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long WAN outage: the cluster is stopped while 200,000 records pile up in the bulk lane and live alarm records
 * keep arriving; when it comes back, live records flow at once (ahead of the backlog, by lane priority) and
 * everything arrives exactly once.
 */
@Timeout(600)
class LongOutageIT {
    private static final int BACKLOG = 200_000;

    @Test
    void clusterDownWhile200kRecordsSpool_liveDataFlowsFirstOnRecovery_andEverythingArrivesOnce(
            @TempDir Path dataDir, @TempDir Path kafkaDir) throws Exception {
        int kafkaPort = TestDevice.freePort();
        DeviceConfig config = ConfigLoader.parse(Path.of("outage.yaml"), """
                device: {id: outage-pi}
                broker: {listener: {port: %d}, data-directory: broker}
                spool:
                  directory: spool
                  segment-bytes: 4194304
                  budget-bytes: 268435456
                  lanes:
                    - {name: alarm, budget-bytes: 16777216, when-full: block}
                    - {name: bulk, budget-bytes: 201326592, when-full: block}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: 127.0.0.1:%d
                  batch-records: 1000
                  retry-backoff-max: 1s
                  routes:
                    - {mqtt-filter: "edge/+/alarm", kafka-topic: it.outage, lane: alarm}
                    - {mqtt-filter: "edge/#", kafka-topic: it.outage, lane: bulk}
                sensors: []
                """.formatted(TestDevice.freePort(), kafkaPort), dataDir);
        Set<Identity> written = new HashSet<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, kafkaPort);
             EdgeBrokerService service = EdgeBrokerService.start(config);
             BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                     List.of("it.outage"), r -> { })) {
            collector.start();
            Spool spool = service.spool();
            append(spool, "bulk", "warmup", 0, written).join();
            Awaits.until(Duration.ofSeconds(60), () -> collector.distinctCount() == 1, "the bridge to work");

            kafka.stop(); // the WAN link is gone
            AtomicBoolean live = new AtomicBoolean(true);
            AtomicLong liveSeq = new AtomicLong();
            Set<Identity> liveWritten = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Thread alarms = Thread.ofPlatform().name("live-alarms").start(() -> {
                while (live.get()) {
                    long seq = liveSeq.getAndIncrement();
                    append(spool, "alarm", "alarm", seq, liveWritten).join();
                    sleep(20);
                }
            });
            List<CompletableFuture<AppendOutcome>> pending = new ArrayList<>();
            for (int i = 0; i < BACKLOG; i++) {
                pending.add(append(spool, "bulk", "bulk-" + (i % 8), i / 8, written));
                if (pending.size() == 10_000) {
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                }
            }
            pending.forEach(CompletableFuture::join);
            assertThat(service.bridge().forwarded()).isEqualTo(1);

            long firstLiveAfterRecovery = liveSeq.get() + 1;
            long restarted = System.nanoTime();
            kafka.restart();
            Identity probe = new Identity("outage-pi", "alarm", 1, firstLiveAfterRecovery);
            Awaits.until(Duration.ofSeconds(120), () -> collector.contains(probe), "live alarms after recovery");
            double liveAfterSeconds = (System.nanoTime() - restarted) / 1e9;
            int backlogSeenWhenLiveArrived = collector.distinctCount();
            live.set(false);
            alarms.join();
            written.addAll(liveWritten);
            Awaits.until(Duration.ofSeconds(300), () -> collector.distinctCount() >= written.size(),
                    "the whole backlog in Kafka");
            double drainedAfterSeconds = (System.nanoTime() - restarted) / 1e9;
            Thread.sleep(1_000);
            System.err.printf("outage of %,d records: live alarms in Kafka %.1f s after the cluster restarted "
                    + "(with %,d records through), backlog drained after %.1f s%n", BACKLOG, liveAfterSeconds,
                    backlogSeenWhenLiveArrived, drainedAfterSeconds);

            assertThat(backlogSeenWhenLiveArrived).as("live data did not wait for the backlog")
                    .isLessThan(BACKLOG);
            assertThat(collector.distinct()).isEqualTo(written);
            assertThat(collector.duplicates()).isZero();
            assertThat(collector.orderViolations()).isEmpty();
        }
    }

    private static CompletableFuture<AppendOutcome> append(Spool spool, String lane, String stream, long seq,
                                                           Set<Identity> written) {
        synchronized (written) {
            written.add(new Identity("outage-pi", stream, 1, seq));
        }
        return spool.append(lane, new SpoolRecord("outage-pi", stream, 1, seq, "edge/outage-pi/" + stream, true,
                System.currentTimeMillis(), new byte[200]));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
