package dev.edgeline.broker.spool;

import static dev.edgeline.broker.spool.SpoolFixtures.LANE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.broker.spool.internal.RetiredMarksFile;
import dev.edgeline.config.SpoolConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of streams with long names (a device publishing to ever new topics): what a record costs on disk does
 * not grow with the number of streams, the marks of records whose segments were deleted survive a restart (a late
 * retransmission is still a duplicate), and a new stream beyond {@code spool.max-streams-per-device} or
 * {@code max-streams} is refused while existing streams go on.
 */
class SpoolManyStreamsTest {
    private static final int STREAMS = 4_500;
    private static final long SEGMENT_BYTES = 256 << 10;

    @TempDir
    Path dir;

    @Test
    void manyLongNamedStreams_takeSegmentsForTheirBytesOnly_andTheirMarksOutliveTheirSegments() throws Exception {
        SpoolConfig config = new SpoolConfig(dir.resolve("spool"), SEGMENT_BYTES, 1L << 30,
                List.of(new SpoolConfig.Lane(LANE, 1L << 30, SpoolConfig.FullPolicy.BLOCK)), Duration.ofSeconds(10),
                new SpoolConfig.StreamLimits(100_000, 10_000));
        List<SpoolRecord> records = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < STREAMS; i++) {
            SpoolRecord record = new SpoolRecord("lan-user", longName(i), 1, 0, "lan/x", true, 1_700_000_000_000L,
                    new byte[16]);
            records.add(record);
            bytes += record.stream().length() + record.mqttTopic().length() + 16 + 64;
        }
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config, "pi-1", InstantSource.system())) {
            append(spool, records);
            int segments = spool.counters().segments();
            assertThat(segments).as("segments for %d bytes of records", bytes)
                    .isLessThanOrEqualTo((int) (bytes / SEGMENT_BYTES) + 2);
            try (SpoolReader bridge = spool.openReader("bridge")) {
                List<SpooledRecord> batch;
                int read = 0;
                while (!(batch = bridge.poll(1_000, Duration.ofMillis(200))).isEmpty()) {
                    bridge.commit(batch);
                    read += batch.size();
                }
                assertThat(read).isEqualTo(STREAMS);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (spool.counters().segments() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(spool.counters().segments()).as("consumed segments deleted").isEqualTo(1);
        }
        assertThat(Files.size(dir.resolve("spool").resolve(RetiredMarksFile.FILE))).as("every mark retired once")
                .isBetween(bytes / 2, 2 * bytes);
        Files.delete(dir.resolve("spool").resolve("dedup.index")); // the marks must come from marks.retired alone
        try (SegmentedFileSpool reopened = SegmentedFileSpool.open(config, "pi-1", InstantSource.system())) {
            assertThat(reopened.markOf("lan-user", longName(STREAMS - 1))).contains(new Spool.StreamMark(1, 0));
            List<AppendOutcome> again = append(reopened, records.subList(0, 100));
            assertThat(again).as("retransmissions of forwarded and deleted records").containsOnly(AppendOutcome.DUPLICATE);
            SpoolRecord next = records.get(7).withIdentity(1, 1);
            assertThat(reopened.append(LANE, next).join()).isEqualTo(AppendOutcome.APPENDED);
        }
    }

    @Test
    void newStreamsBeyondTheLimits_areRefused_existingOnesGoOn_andTheCountSurvivesARestart() throws Exception {
        SpoolConfig config = new SpoolConfig(dir.resolve("spool"), 64 << 10, 1L << 30,
                List.of(new SpoolConfig.Lane(LANE, 1L << 30, SpoolConfig.FullPolicy.BLOCK)), Duration.ofSeconds(10),
                new SpoolConfig.StreamLimits(5, 3));
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config, "pi-1", InstantSource.system())) {
            for (String stream : List.of("a", "b", "c")) {
                assertThat(spool.append(LANE, record("dev-1", stream, 0)).join()).isEqualTo(AppendOutcome.APPENDED);
            }
            assertThatThrownBy(() -> spool.append(LANE, record("dev-1", "d", 0)).join())
                    .isInstanceOf(CompletionException.class).cause().isInstanceOf(StreamLimitException.class)
                    .hasMessage("device dev-1 has 3 streams, the most allowed (spool.max-streams-per-device); new "
                            + "stream 'd' refused");
            assertThat(spool.append(LANE, record("dev-1", "a", 1)).join()).as("an existing stream goes on")
                    .isEqualTo(AppendOutcome.APPENDED);
            assertThat(spool.append(LANE, record("dev-2", "a", 0)).join()).isEqualTo(AppendOutcome.APPENDED);
            assertThat(spool.append(LANE, record("dev-2", "b", 0)).join()).isEqualTo(AppendOutcome.APPENDED);
            assertThatThrownBy(() -> spool.append(LANE, record("dev-3", "a", 0)).join())
                    .cause().isInstanceOf(StreamLimitException.class)
                    .hasMessageContaining("the spool has 5 streams, the most allowed (spool.max-streams)");
        }
        try (SegmentedFileSpool reopened = SegmentedFileSpool.open(config, "pi-1", InstantSource.system())) {
            assertThatThrownBy(() -> reopened.append(LANE, record("dev-1", "d", 0)).join())
                    .cause().isInstanceOf(StreamLimitException.class);
            assertThat(reopened.append(LANE, record("dev-1", "c", 1)).join()).isEqualTo(AppendOutcome.APPENDED);
        }
    }

    @Test
    void aLaneThatNeverHeldARecord_reportsNoBacklog() throws Exception {
        SpoolConfig config = new SpoolConfig(dir.resolve("spool"), 64 << 10, 1L << 30,
                List.of(new SpoolConfig.Lane("alarm", 1L << 29, SpoolConfig.FullPolicy.BLOCK),
                        new SpoolConfig.Lane(LANE, 1L << 29, SpoolConfig.FullPolicy.BLOCK)), Duration.ofSeconds(10));
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config, "pi-1", InstantSource.system());
             SpoolReader bridge = spool.openReader("bridge")) {
            spool.append(LANE, record("dev-1", "a", 0)).join();
            while (!bridge.poll(100, Duration.ofMillis(200)).isEmpty()) {
                // read what there is
            }
            assertThat(bridge.backlogBytes()).as("before: 49 bytes of an empty marks checkpoint, for ever")
                    .containsEntry("alarm", 0L).containsEntry(LANE, 0L);
        }
    }

    private static SpoolRecord record(String device, String stream, long seq) {
        return new SpoolRecord(device, stream, 1, seq, "lan/" + stream, true, 1_700_000_000_000L, new byte[8]);
    }

    private static String longName(int i) {
        return String.format("lan/user/%05d/", i) + "n".repeat(1_000);
    }

    private static List<AppendOutcome> append(Spool spool, List<SpoolRecord> records) {
        List<CompletableFuture<AppendOutcome>> futures = records.stream().map(r -> spool.append(LANE, r)).toList();
        return futures.stream().map(CompletableFuture::join).toList();
    }
}
