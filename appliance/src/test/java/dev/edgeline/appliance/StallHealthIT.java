package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.broker.receipts.StreamReceipts;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.DeviceConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The silent stall: Kafka frozen with SIGSTOP (it keeps its sockets open and answers nothing, as a hung broker or a
 * black-holed network does). Records keep being acknowledged into the spool; once they have waited for stall-after
 * without a commit, /health fails (503) and names the stall; after SIGCONT the bridge recovers, /health passes again,
 * every record is in Kafka exactly once, and the receipts say the streams have no lag.
 */
@Timeout(300)
class StallHealthIT {
    private static final String TOPIC = "edge.stall";

    @Test
    void frozenKafka_failsHealthAfterStallAfter_andRecoveryPassesIt_withNothingLost(@TempDir Path dir)
            throws Exception {
        int metricsPort = TestDevice.freePort();
        try (KafkaChild kafka = KafkaChild.start(dir.resolve("kafka"), dir.resolve("kafka.log"))) {
            DeviceConfig config = MonitoredDevice.config(dir, TestDevice.freePort(), kafka.bootstrapServers(), TOPIC,
                    metricsPort, "4s");
            try (EdgeBrokerService service = EdgeBrokerService.start(config);
                 BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                         List.of(TOPIC), r -> { })) {
                collector.start();
                append(service, 0, 50);
                Awaits.until(Duration.ofSeconds(60), () -> service.bridge().forwarded() >= 50, "the first 50 in Kafka");
                assertThat(MonitoredDevice.get(metricsPort, "/health").status()).isEqualTo(200);

                kafka.freeze();
                append(service, 50, 100);
                AtomicReference<MonitoredDevice.Response> failing = new AtomicReference<>();
                Awaits.until(Duration.ofSeconds(60), () -> {
                    MonitoredDevice.Response health = getQuietly(metricsPort, "/health");
                    failing.set(health);
                    return health.status() == 503;
                }, "/health to fail while Kafka is frozen");
                assertThat(failing.get().body()).contains("\"status\":\"fail\"")
                        .contains("nothing was committed to Kafka for").contains("stall-after 4 s");
                String metrics = MonitoredDevice.get(metricsPort, "/metrics").body();
                assertThat(stalledSeconds(metrics)).as("edge_bridge_stalled_seconds").isGreaterThan(4.0);
                assertThat(metrics).as("the records waiting, per lane, from the receipts")
                        .containsPattern("edge_lane_backlog_records\\{.*lane=\"telemetry\".*} 50.0");

                kafka.thaw();
                Awaits.until(Duration.ofSeconds(150), () -> getQuietly(metricsPort, "/health").status() == 200,
                        "/health to pass again after SIGCONT");
                Awaits.until(Duration.ofSeconds(60), () -> collector.distinctCount() == 100,
                        "all 100 records in Kafka");
                Thread.sleep(1_000); // anything duplicated would have arrived by now
                assertThat(collector.duplicates()).isZero();
                for (long seq = 0; seq < 100; seq++) {
                    assertThat(collector.contains(new Identity(MonitoredDevice.DEVICE, "s", 1, seq))).isTrue();
                }
                Awaits.until(Duration.ofSeconds(10), () -> streamsOutput(dir).contains(" 0\n"),
                        "status --streams to show no lag");
                assertThat(streamsOutput(dir)).containsPattern(MonitoredDevice.DEVICE
                        + "/s +telemetry +1/99 +\\d+ s +1/99 +\\d+ s +0\\n");
            }
            try (StreamReceipts receipts = StreamReceipts.openToRead(dir.resolve("spool"))) {
                assertThat(receipts.snapshot()).singleElement().satisfies(r -> {
                    assertThat(r.ingestedSeq()).isEqualTo(99);
                    assertThat(r.committedSeq()).isEqualTo(99);
                    assertThat(r.lagRecords()).isZero();
                });
            }
        }
    }

    private static void append(EdgeBrokerService service, long from, long to) {
        for (long seq = from; seq < to; seq++) {
            service.spool().append(dev.edgeline.config.SpoolConfig.DEFAULT_LANE, new SpoolRecord(MonitoredDevice.DEVICE, "s", 1, seq,
                    "edge/" + MonitoredDevice.DEVICE + "/s", true, System.currentTimeMillis(),
                    ("{\"value\":" + seq + "}").getBytes(StandardCharsets.UTF_8))).join();
        }
    }

    private static String streamsOutput(Path dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Main.run(List.of("status", "--streams", "--config", dir.resolve("device.yaml").toString(), "--data-dir",
                    dir.toString()), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        } catch (Exception e) {
            return e.toString();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static MonitoredDevice.Response getQuietly(int port, String path) {
        try {
            return MonitoredDevice.get(port, path);
        } catch (Exception e) {
            return new MonitoredDevice.Response(-1, e.toString());
        }
    }

    private static double stalledSeconds(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("edge_bridge_stalled_seconds{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }
}
