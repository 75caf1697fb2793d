package dev.edgeline.broker.spool;

import static dev.edgeline.broker.spool.SpoolFixtures.appendAll;
import static dev.edgeline.broker.spool.SpoolFixtures.open;
import static dev.edgeline.broker.spool.SpoolFixtures.readAllSpooled;
import static dev.edgeline.broker.spool.SpoolFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.config.SpoolConfig;
import dev.edgeline.config.SpoolConfig.FullPolicy;
import dev.edgeline.config.SpoolConfig.Lane;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Priority lanes, byte budgets and the full-lane policies. */
class SpoolLanesAndBudgetTest {
    private static final long SEGMENT = 64 << 10;
    @TempDir
    Path dir;

    private SpoolConfig lanes(long totalBudget, Lane... lanes) {
        return new SpoolConfig(dir, SEGMENT, totalBudget, List.of(lanes), Duration.ofMillis(500));
    }

    @Test
    void readers_drainHigherLanesFirst() throws Exception {
        SpoolConfig config = lanes(1L << 30, new Lane("alarm", 1L << 28, FullPolicy.BLOCK),
                new Lane("telemetry", 1L << 28, FullPolicy.BLOCK), new Lane("bulk", 1L << 28, FullPolicy.DROP_OLDEST));
        try (Spool spool = open(config)) {
            appendAll(spool, "bulk", List.of(record("b", 1, 0), record("b", 1, 1)));
            appendAll(spool, "telemetry", List.of(record("t", 1, 0)));
            appendAll(spool, "alarm", List.of(record("a", 1, 0)));
            try (SpoolReader reader = spool.openReader("bridge")) {
                List<SpooledRecord> first = reader.poll(2, Duration.ofSeconds(1));
                assertThat(first).extracting(SpooledRecord::lane).containsExactly("alarm", "telemetry");
                appendAll(spool, "alarm", List.of(record("a", 1, 1)));
                List<SpooledRecord> second = reader.poll(10, Duration.ofSeconds(1));
                assertThat(second).extracting(SpooledRecord::lane).containsExactly("alarm", "bulk", "bulk");
            }
        }
    }

    @Test
    void withLiveRecordsInAHigherLane_lowerLanesAddOnlyASmallShare_butABacklogAloneComesInFullBatches()
            throws Exception {
        SpoolConfig config = lanes(1L << 30, new Lane("live", 1L << 28, FullPolicy.BLOCK),
                new Lane("backlog", 1L << 28, FullPolicy.BLOCK), new Lane("bulk", 1L << 28, FullPolicy.BLOCK));
        try (Spool spool = open(config)) {
            List<SpoolRecord> backlog = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                backlog.add(record("b", 1, i));
            }
            appendAll(spool, "backlog", backlog);
            appendAll(spool, "bulk", List.of(record("k", 1, 0), record("k", 1, 1)));
            appendAll(spool, "live", List.of(record("l", 1, 0), record("l", 1, 1), record("l", 1, 2)));
            try (SpoolReader reader = spool.openReader("bridge")) {
                assertThat(reader.poll(50, 5, Duration.ofSeconds(1))).extracting(SpooledRecord::lane)
                        .containsExactly("live", "live", "live", "backlog", "backlog", "backlog", "backlog", "backlog");
                assertThat(reader.poll(50, 5, Duration.ofSeconds(1))).as("the backlog lane is now the first one")
                        .hasSize(50).allMatch(r -> r.lane().equals("backlog"));
                List<SpooledRecord> rest = reader.poll(50, 5, Duration.ofSeconds(1));
                assertThat(rest).hasSize(45 + 2);
                assertThat(rest).extracting(r -> r.record().seq()).startsWith(55L);
            }
        }
    }

    @Test
    void blockPolicy_holdsAppendsUntilAReaderFreesRoom_andLosesNothing() throws Exception {
        SpoolConfig config = new SpoolConfig(dir, SEGMENT, 4 * SEGMENT,
                List.of(new Lane("telemetry", 4 * SEGMENT, FullPolicy.BLOCK)), Duration.ofSeconds(20));
        try (Spool spool = open(config)) {
            List<CompletableFuture<AppendOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < 1_500; i++) { // ~6 segments of 200-byte records: does not fit
                futures.add(spool.append("telemetry", record("s", 1, i, 200)));
            }
            awaitBlocked(spool, "telemetry");
            long completedWhileFull = futures.stream().filter(CompletableFuture::isDone).count();
            assertThat(completedWhileFull).isLessThan(1_500);
            assertThat(spool.counters().lane("telemetry").bytesOnDisk()).isLessThanOrEqualTo(4 * SEGMENT);

            List<SpoolRecord> read = new ArrayList<>();
            try (SpoolReader reader = spool.openReader("bridge")) {
                while (read.size() < 1_500) {
                    List<SpooledRecord> batch = reader.poll(200, Duration.ofSeconds(5));
                    batch.forEach(r -> read.add(r.record()));
                    reader.commit(batch); // frees whole segments, which lets blocked appends in
                }
            }
            futures.forEach(f -> assertThat(f.join()).isEqualTo(AppendOutcome.APPENDED));
            assertThat(read).extracting(SpoolRecord::seq).containsExactlyElementsOf(
                    java.util.stream.LongStream.range(0, 1_500).boxed().toList());
            assertThat(spool.counters().droppedRecords()).isZero();
        }
    }

    @Test
    void blockPolicy_refusesWithAClearReasonAfterTheTimeout_andKeepsTheStreamInOrder() throws Exception {
        SpoolConfig config = new SpoolConfig(dir, SEGMENT, 2 * SEGMENT,
                List.of(new Lane("telemetry", 2 * SEGMENT, FullPolicy.BLOCK)), Duration.ofMillis(300));
        try (Spool spool = open(config)) {
            List<CompletableFuture<AppendOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                futures.add(spool.append("telemetry", record("s", 1, i, 200)));
            }
            int firstRefused = -1;
            for (int i = 0; i < futures.size(); i++) {
                try {
                    futures.get(i).join();
                } catch (java.util.concurrent.CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(SpoolFullException.class)
                            .hasMessageContaining("spool lane 'telemetry' is full").hasMessageContaining("refused after");
                    firstRefused = firstRefused < 0 ? i : firstRefused;
                    continue;
                }
                assertThat(firstRefused).as("no record accepted after a refused one").isNegative();
            }
            assertThat(firstRefused).isPositive();
            // Room again, but the stream resumes only with the first refused record: no skipping ahead.
            try (SpoolReader reader = spool.openReader("bridge")) {
                List<SpooledRecord> batch;
                while (!(batch = reader.poll(500, Duration.ofMillis(100))).isEmpty()) {
                    reader.commit(batch);
                }
            }
            // The reader's commit makes the writer delete the consumed segments at its next turn.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (spool.counters().lane("telemetry").segments() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(spool.counters().lane("telemetry").segments()).as("consumed segments deleted").isEqualTo(1);
            assertThat(spool.append("telemetry", record("s", 1, firstRefused + 1, 200)))
                    .failsWithin(Duration.ofSeconds(2)).withThrowableOfType(ExecutionException.class)
                    .withMessageContaining("was refused; send it again first");
            assertThat(spool.append("telemetry", record("s", 1, firstRefused, 200)).join())
                    .isEqualTo(AppendOutcome.APPENDED);
            assertThat(spool.append("telemetry", record("s", 1, firstRefused + 1, 200)).join())
                    .isEqualTo(AppendOutcome.APPENDED);
            assertThat(spool.counters().refused()).isGreaterThan(0);
        }
    }

    @Test
    void dropOldest_dropsOnlyTheFullLanesOldestSegment_andTheGapMarkerStatesExactlyWhatWasLost() throws Exception {
        SpoolConfig config = lanes(1L << 30, new Lane("alarm", 1L << 28, FullPolicy.BLOCK),
                new Lane("bulk", 4 * SEGMENT, FullPolicy.DROP_OLDEST));
        List<SpoolRecord> written = new ArrayList<>();
        try (Spool spool = open(config)) {
            appendAll(spool, "alarm", List.of(record("alarm", 1, 0)));
            for (int i = 0; i < 3_000; i++) {
                SpoolRecord r = record(i % 2 == 0 ? "x" : "y", 1, i / 2, 200);
                written.add(r);
                assertThat(spool.append("bulk", r).join()).isEqualTo(AppendOutcome.APPENDED);
            }
            assertThat(spool.counters().lane("bulk").bytesOnDisk()).isLessThanOrEqualTo(4 * SEGMENT + 1024);
            List<SpooledRecord> read = readAllSpooled(spool, "bridge");
            assertThat(read.getFirst().record().stream()).as("alarm lane untouched").isEqualTo("alarm");
            Set<String> survivors = new HashSet<>();
            long lostAccordingToMarkers = 0;
            Set<String> lostAccordingToMarkersIds = new HashSet<>();
            for (SpooledRecord r : read) {
                if (r.record().kind() == RecordKind.GAP) {
                    String json = new String(r.record().payload(), StandardCharsets.UTF_8);
                    assertThat(json).contains("\"reason\":\"dropped-oldest\"").contains("\"lane\":\"bulk\"");
                    Matcher m = Pattern.compile("\"stream\":\"(\\w)\",\"boot\":1,\"first_seq\":(\\d+),\"last_seq\":(\\d+),"
                            + "\"records\":(\\d+)").matcher(json);
                    while (m.find()) {
                        long first = Long.parseLong(m.group(2));
                        long last = Long.parseLong(m.group(3));
                        long count = Long.parseLong(m.group(4));
                        assertThat(count).as("contiguous range").isEqualTo(last - first + 1);
                        lostAccordingToMarkers += count;
                        for (long s = first; s <= last; s++) {
                            lostAccordingToMarkersIds.add(m.group(1) + s);
                        }
                    }
                } else if (r.lane().equals("bulk")) {
                    survivors.add(r.record().stream() + r.record().seq());
                }
            }
            assertThat(lostAccordingToMarkers).isPositive();
            assertThat(spool.counters().lane("bulk").droppedRecords()).isEqualTo(lostAccordingToMarkers);
            assertThat(spool.counters().lane("bulk").gapMarkers()).isPositive();
            Set<String> all = new HashSet<>();
            written.forEach(r -> all.add(r.stream() + r.seq()));
            Set<String> union = new HashSet<>(survivors);
            union.addAll(lostAccordingToMarkersIds);
            assertThat(union).as("every record is either readable or named by a gap marker").isEqualTo(all);
            assertThat(survivors).doesNotContainAnyElementsOf(lostAccordingToMarkersIds);
        }
    }

    @Test
    void wholeSpoolFull_dropsFromTheLowestDropOldestLane_notFromTheLaneBeingWritten() throws Exception {
        SpoolConfig config = lanes(6 * SEGMENT, new Lane("telemetry", 6 * SEGMENT, FullPolicy.BLOCK),
                new Lane("bulk", 6 * SEGMENT, FullPolicy.DROP_OLDEST));
        try (Spool spool = open(config)) {
            for (int i = 0; i < 1_200; i++) {
                spool.append("bulk", record("b", 1, i, 200)).join();
            }
            for (int i = 0; i < 1_000; i++) {
                assertThat(spool.append("telemetry", record("t", 1, i, 200)).join()).isEqualTo(AppendOutcome.APPENDED);
            }
            SpoolCounters counters = spool.counters();
            assertThat(counters.bytesOnDisk()).isLessThanOrEqualTo(6 * SEGMENT + 1024);
            assertThat(counters.lane("telemetry").droppedRecords()).isZero();
            assertThat(counters.lane("bulk").droppedRecords()).isPositive();
        }
    }

    private static void awaitBlocked(Spool spool, String lane) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (spool.counters().lane(lane).blocked() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(spool.counters().lane(lane).blocked()).isPositive();
    }
}
