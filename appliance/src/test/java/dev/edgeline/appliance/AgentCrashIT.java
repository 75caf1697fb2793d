package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.agent.ReadingListener;
import dev.edgeline.broker.EdgeBroker;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as its own process ({@code bin/edge agent}), sampling three streams at 50 Hz, killed with SIGKILL at
 * random moments six times and restarted. Then: {@code boot} went up by one per start, {@code seq} continued without
 * reuse, every reading the killed agents had written to their outbox reached the spool (within a boot, seq has no
 * holes), and nothing was spooled twice although the restarted agents resent what they could not know was
 * acknowledged.
 */
@Timeout(300)
class AgentCrashIT {
    private static final int KILLS = 6;
    private static final List<String> STREAMS = List.of("a", "b", "c");

    @Test
    void sigkilledAgent_continuesSeq_incrementsBoot_andNothingIsSpooledTwice(@TempDir Path dir) throws Exception {
        Path configFile = dir.resolve("device.yaml");
        Files.writeString(configFile, """
                device: {id: crash-agent}
                broker: {listener: {host: 127.0.0.1, port: %d}}
                spool: {directory: spool, segment-bytes: 262144}
                agent: {state-directory: agent, reconnect-delay-max: 500ms}
                kafka:
                  bootstrap-servers: 127.0.0.1:9
                  routes: [{mqtt-filter: "edge/#", kafka-topic: it.agent-crash}]
                sensors:
                  - {stream: a, type: simulated-analog, period: 20ms}
                  - {stream: b, type: simulated-analog, period: 20ms}
                  - {stream: c, type: simulated-digital, period: 20ms}
                """.formatted(TestDevice.freePort()));
        DeviceConfig config = ConfigLoader.load(configFile, dir);
        Random random = new Random(11);
        long duplicatesDropped;
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), config.device().id(),
                InstantSource.system());
             EdgeBroker broker = EdgeBroker.start(config, spool, ClockSync.system())) {
            for (int kill = 0; kill < KILLS; kill++) {
                long storedBefore = spool.counters().appended();
                Process agent = ChildService.start("agent", configFile, dir, dir.resolve("agent.log"));
                // Killed at a random moment after it started publishing, however long its JVM took to start on a
                // loaded machine: every start must leave readings of its boot.
                Awaits.until(Duration.ofSeconds(60), () -> spool.counters().appended() > storedBefore,
                        "readings of the agent's start " + (kill + 1));
                Thread.sleep(1_000 + random.nextInt(2_500));
                ChildService.kill(agent);
            }
            // A last start in this JVM publishes what the last killed agent left in its outbox, then a few samples.
            try (EdgeAgent last = EdgeAgent.create(config, ReadingListener.NONE, 50)) {
                last.start();
                assertThat(last.boot()).isEqualTo(KILLS + 1);
                Awaits.until(Duration.ofSeconds(30), last::samplingFinished, "last agent sampling");
                assertThat(last.awaitAcknowledged(Duration.ofSeconds(60))).as("every outbox emptied").isTrue();
                assertThat(last.dropped()).isZero();
            }
            duplicatesDropped = spool.counters().duplicates();
        }

        List<SpoolRecord> spooled = SpoolContents.read(config);
        Set<String> identities = new HashSet<>();
        for (SpoolRecord r : spooled) {
            assertThat(identities.add(r.stream() + "/" + r.boot() + "/" + r.seq())).as("spooled once: %s", r).isTrue();
        }
        for (String stream : STREAMS) {
            Map<Long, List<Long>> seqsByBoot = new TreeMap<>();
            spooled.stream().filter(r -> r.stream().equals(stream))
                    .forEach(r -> seqsByBoot.computeIfAbsent(r.boot(), b -> new ArrayList<>()).add(r.seq()));
            assertThat(seqsByBoot.keySet()).as(stream + ": one boot per start").containsExactly(
                    1L, 2L, 3L, 4L, 5L, 6L, 7L);
            long previousLast = -1;
            for (Map.Entry<Long, List<Long>> boot : seqsByBoot.entrySet()) {
                List<Long> seqs = boot.getValue();
                // A killed agent restarted in the same kernel boot continues exactly (a number handed out just
                // before the kill to a reading that never reached the outbox leaves a hole of one: a lost reading).
                assertThat(seqs.getFirst()).as("%s boot %d continues after %d", stream, boot.getKey(), previousLast)
                        .isBetween(previousLast + 1, previousLast + 2);
                for (int i = 1; i < seqs.size(); i++) {
                    assertThat(seqs.get(i)).as("%s boot %d: no hole, no reorder", stream, boot.getKey())
                            .isEqualTo(seqs.get(i - 1) + 1);
                }
                previousLast = seqs.getLast();
            }
        }
        System.err.println("agent crashes: " + spooled.size() + " readings spooled once over " + (KILLS + 1)
                + " boots; the broker dropped " + duplicatesDropped + " resent duplicate(s)");
    }
}
