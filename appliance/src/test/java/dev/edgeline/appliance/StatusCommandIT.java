package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/edge status} on a spool with a backlog, read-only and without a running bridge. */
class StatusCommandIT {

    @Test
    void status_showsTheBacklogPerLane_andSaysWhenNoBridgeReported(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("device.yaml");
        Files.writeString(file, """
                device: {id: pi-status}
                spool:
                  directory: spool
                  segment-bytes: 1048576
                  lanes:
                    - {name: alarm, budget-bytes: 4194304}
                    - {name: telemetry, budget-bytes: 4194304}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: 127.0.0.1:9
                  routes: [{mqtt-filter: "edge/#", kafka-topic: readings, lane: telemetry}]
                sensors: []
                """);
        DeviceConfig config = ConfigLoader.load(file, dir);
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), "pi-status", InstantSource.system())) {
            for (int i = 0; i < 100; i++) {
                spool.append("telemetry", new SpoolRecord("pi-status", "t", 1, i, "edge/pi-status/t", true,
                        System.currentTimeMillis() - 90_000, new byte[1_000])).join();
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.run(List.of("status", "--config", file.toString(), "--data-dir", dir.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).isZero();
        assertThat(text).contains("device pi-status").containsPattern("telemetry +1\\d\\d\\.\\d KiB +9\\d s")
                .containsPattern("alarm +\\d+ B +-")
                .contains("bridge: no status reported yet");
        assertThat(Files.exists(dir.resolve("spool/readers/bridge.cursor"))).as("status registers no reader").isFalse();
    }
}
