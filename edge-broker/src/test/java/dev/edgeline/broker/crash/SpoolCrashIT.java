package dev.edgeline.broker.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.spool.FileSpoolReader;
import dev.edgeline.broker.spool.SpooledRecord;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power-cut test: a child JVM runs the broker with its spool while Paho publishers send QoS 1; the child is killed
 * with SIGKILL at random moments, 30 times. After every restart and at the end, every publish that was acknowledged
 * is in the spool exactly once, in order.
 */
@Timeout(600)
class SpoolCrashIT {
    private static final int KILLS = 30;
    private static final List<String> STREAMS = List.of("s0", "s1", "s2", "s3");

    @Test
    void sigkillAtRandomMoments_everyAcknowledgedPublishIsSpooledExactlyOnce_inOrder(@TempDir Path dir)
            throws Exception {
        int port = freePort();
        Path config = dir.resolve("device.yaml");
        Files.writeString(config, """
                device: {id: crash-pi}
                broker: {listener: {port: %d}, data-directory: broker}
                spool: {directory: spool, segment-bytes: 262144}
                agent: {state-directory: agent}
                kafka: {bootstrap-servers: "127.0.0.1:9", routes: [{mqtt-filter: "edge/#", kafka-topic: readings}]}
                sensors: []
                """.formatted(port));
        Random random = new Random(42);
        List<TestPublisher> publishers = new ArrayList<>();
        for (String stream : STREAMS) {
            publishers.add(new TestPublisher("tcp://127.0.0.1:" + port, stream));
        }
        publishers.forEach(TestPublisher::start);
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                try (ChildJvm broker = ChildJvm.start(BrokerProcessMain.class, config.toString(), dir.toString())) {
                    broker.awaitLine("READY", Duration.ofSeconds(60));
                    Thread.sleep(200 + random.nextInt(1_300));
                    broker.kill();
                }
                // After every restart the spool must hold every acknowledged publish: check it now, no writer running.
                Map<String, Set<Long>> acknowledged = snapshot(publishers);
                verify(dir.resolve("spool"), acknowledged, "after kill " + kill);
            }
        } finally {
            for (TestPublisher publisher : publishers) {
                publisher.close();
            }
        }
        Map<String, Set<Long>> acknowledged = snapshot(publishers);
        long total = acknowledged.values().stream().mapToLong(Set::size).sum();
        assertThat(total).as("publishes acknowledged over %d kills", KILLS).isGreaterThan(1_000);
        verify(dir.resolve("spool"), acknowledged, "at the end");
    }

    private static Map<String, Set<Long>> snapshot(List<TestPublisher> publishers) {
        Map<String, Set<Long>> acknowledged = new HashMap<>();
        for (int i = 0; i < publishers.size(); i++) {
            acknowledged.put(STREAMS.get(i), publishers.get(i).acknowledged());
        }
        return acknowledged;
    }

    /** Reads the whole spool from a fresh reader: per stream strictly increasing (no duplicate, in order), and complete. */
    private static void verify(Path spool, Map<String, Set<Long>> acknowledged, String when) throws Exception {
        Map<String, List<Long>> spooled = new HashMap<>();
        String reader = "verify-" + System.nanoTime();
        // The writer is dead: the durable file still says how far it got; frames are validated on read.
        try (FileSpoolReader r = FileSpoolReader.openFromOtherProcess(spool, reader)) {
            List<SpooledRecord> batch;
            while (!(batch = r.poll(10_000, Duration.ofMillis(100))).isEmpty()) {
                for (SpooledRecord record : batch) {
                    spooled.computeIfAbsent(record.record().stream(), s -> new ArrayList<>()).add(record.record().seq());
                }
            }
        }
        Files.deleteIfExists(spool.resolve("readers").resolve(reader + ".cursor"));
        for (String stream : STREAMS) {
            List<Long> seqs = spooled.getOrDefault(stream, List.of());
            for (int i = 1; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("%s: stream %s strictly increasing at index %d", when, stream, i)
                        .isGreaterThan(seqs.get(i - 1));
            }
            assertThat(seqs).as("%s: every acknowledged publish of %s is spooled", when, stream)
                    .containsAll(acknowledged.get(stream));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
