package dev.edgeline.broker.spool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.config.SpoolConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spool written by an earlier release (the fixture in {@code src/test/resources/compat}, see its README) is read by
 * this one: the bridge resumes after what it had committed, dedup marks hold (a resent record is a duplicate), the
 * assigned identity continues, and new records append after the old ones. What a device upgraded in place, with
 * records still waiting in its spool, relies on.
 */
class SpoolCompatibilityTest {
    @TempDir
    Path dir;

    @Test
    void aSpoolWrittenByReleaseAee2ae6_isReadDeduplicatedAndAppendedTo() throws Exception {
        Path spoolDir = dir.resolve("spool");
        copy(Path.of("src/test/resources/compat/spool-aee2ae6"), spoolDir);
        SpoolConfig config = new SpoolConfig(spoolDir, 65536, 1 << 20, List.of(
                new SpoolConfig.Lane("alarm", 262144, SpoolConfig.FullPolicy.BLOCK),
                new SpoolConfig.Lane("telemetry", 524288, SpoolConfig.FullPolicy.DROP_OLDEST)), Duration.ofSeconds(5));
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config, "compat-pi", InstantSource.system())) {
            assertThat(spool.markOf("compat-pi", "temperature")).contains(new Spool.StreamMark(3, 49));
            assertThat(spool.markOf("compat-pi", "door")).contains(new Spool.StreamMark(3, 9));
            assertThat(spool.append("telemetry", record("temperature", 49, "{\"value\":24.9,\"unit\":\"°C\"}")).join())
                    .as("a record the old release stored is a duplicate").isEqualTo(AppendOutcome.DUPLICATE);
            assertThat(spool.append("telemetry", record("temperature", 49, "{\"value\":24.9}")))
                    .as("the same identity with other content is refused, even in an old spool")
                    .failsWithin(java.time.Duration.ofSeconds(5));
            assertThat(spool.append("telemetry", record("temperature", 50, "{\"value\":25.0}")).join())
                    .isNotEqualTo(AppendOutcome.DUPLICATE);
            List<SpoolRecord> read = new ArrayList<>();
            try (SpoolReader bridge = spool.openReader("bridge")) {
                List<SpooledRecord> batch;
                while (!(batch = bridge.poll(100, Duration.ofMillis(300))).isEmpty()) {
                    batch.forEach(r -> read.add(r.record()));
                }
            }
            List<Long> temperatures = read.stream().filter(r -> r.stream().equals("temperature"))
                    .map(SpoolRecord::seq).toList();
            assertThat(temperatures).as("the bridge resumes after the 20 it had committed, then the new one")
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(20, 50).boxed().toList());
            assertThat(read.stream().filter(r -> r.stream().equals("door"))).as("the alarms were committed").isEmpty();
            SpoolRecord kitchen = read.stream().filter(r -> r.device().equals("compat-pi/esp32-kitchen"))
                    .findFirst().orElseThrow();
            assertThat(new String(kitchen.payload(), StandardCharsets.UTF_8)).isEqualTo("21.5");
            assertThat(kitchen.seq()).isNotEqualTo(SpoolRecord.ASSIGN_SEQ);
            assertThat(read.stream().filter(r -> r.stream().equals("temperature") && r.seq() == 20).findFirst()
                    .map(r -> new String(r.payload(), StandardCharsets.UTF_8))).contains("{\"value\":22.0,\"unit\":\"°C\"}");
        }
    }

    private static SpoolRecord record(String stream, long seq, String payload) {
        return new SpoolRecord("compat-pi", stream, 3, seq, "edge/compat-pi/" + stream, true, System.currentTimeMillis(),
                payload.getBytes(StandardCharsets.UTF_8));
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
