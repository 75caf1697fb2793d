package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge as its own process ({@code bin/edge bridge}) killed with SIGKILL at random moments, 20 times, while it
 * forwards a spool that this process keeps filling. Exactly once: a read_committed consumer sees every record once,
 * in per-stream order. At least once: nothing is lost; duplicates are allowed and counted.
 */
@Timeout(600)
class BridgeCrashIT {
    private static final int KILLS = 20;
    private static final int RECORDS = 20_000;
    private static final List<String> STREAMS = List.of("s0", "s1", "s2", "s3");
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

    @Test
    void exactlyOnce_survivesTwentySigkills_everyRecordOnce_inOrder(@TempDir Path dir) throws Exception {
        Result result = runWithKills(dir, "exactly-once", "it.crash-eos");
        assertThat(result.distinct()).isEqualTo(result.written());
        assertThat(result.duplicates()).isZero();
        assertThat(result.orderViolations()).isEmpty();
    }

    @Test
    void atLeastOnce_survivesTwentySigkills_nothingLost(@TempDir Path dir) throws Exception {
        Result result = runWithKills(dir, "at-least-once", "it.crash-alo");
        assertThat(result.distinct()).as("no loss").isEqualTo(result.written());
        System.err.println("at-least-once under " + KILLS + " SIGKILLs: " + result.duplicates() + " duplicate(s) of "
                + RECORDS + " records");
    }

    private record Result(Set<Identity> written, Set<Identity> distinct, long duplicates, List<String> orderViolations) {}

    private Result runWithKills(Path dir, String delivery, String topic) throws Exception {
        Path configFile = dir.resolve("device.yaml");
        Files.writeString(configFile, """
                device: {id: crash-bridge-%s}
                broker: {listener: {port: 1}}
                spool: {directory: spool, segment-bytes: 262144}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: %s
                  delivery: %s
                  batch-records: 200
                  retry-backoff-max: 500ms
                  routes: [{mqtt-filter: "edge/#", kafka-topic: %s}]
                sensors: []
                """.formatted(delivery, kafka.bootstrapServers(), delivery, topic));
        DeviceConfig config = ConfigLoader.load(configFile, dir);
        Set<Identity> written = new HashSet<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Random random = new Random(7);
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), config.device().id(),
                InstantSource.system());
             BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(), List.of(topic),
                     r -> { })) {
            collector.start();
            Thread writer = Thread.ofPlatform().name("spool-feeder").start(() -> {
                for (int i = 0; i < RECORDS && writing.get(); i++) {
                    String stream = STREAMS.get(i % STREAMS.size());
                    long seq = i / STREAMS.size();
                    spool.append("telemetry", new SpoolRecord(config.device().id(), stream, 1, seq,
                            "edge/" + config.device().id() + "/" + stream, true, System.currentTimeMillis(),
                            ("{\"value\":" + seq + "}").getBytes(StandardCharsets.UTF_8))).join();
                    synchronized (written) {
                        written.add(new Identity(config.device().id(), stream, 1, seq));
                    }
                    if (i % 10 == 0) {
                        sleep(20); // about 500 records/s: the feed lasts as long as the kills, so most land mid-flow
                    }
                }
            });
            for (int kill = 1; kill <= KILLS; kill++) {
                Process bridge = startBridge(configFile, dir);
                Thread.sleep(800 + random.nextInt(2_200));
                ChildService.kill(bridge);
            }
            writer.join();
            Process bridge = startBridge(configFile, dir);
            try {
                Awaits.until(Duration.ofSeconds(120), () -> collector.distinctCount() >= RECORDS,
                        "every record in Kafka after the last restart");
                Thread.sleep(2_000); // room for late duplicates to show up
            } finally {
                bridge.destroyForcibly();
                bridge.waitFor(30, TimeUnit.SECONDS);
            }
            Set<Identity> copy;
            synchronized (written) {
                copy = new HashSet<>(written); // not Set.copyOf: its linear probing degrades badly on record hashes
            }
            return new Result(copy, collector.distinct(), collector.duplicates(), collector.orderViolations());
        }
    }

    private static Process startBridge(Path configFile, Path dataDir) throws IOException {
        return ChildService.start("bridge", configFile, dataDir, dataDir.resolve("bridge.log"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
