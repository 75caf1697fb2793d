package dev.edgeline.broker.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.config.SpoolConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentedFileSpoolTest {
    @TempDir
    Path dir;

    private SpoolConfig config(long segmentBytes) {
        return new SpoolConfig(dir, segmentBytes);
    }

    private static SpoolRecord record(String stream, long boot, long seq) {
        return new SpoolRecord("pi-1", stream, boot, seq, "edge/pi-1/" + stream, seq % 2 == 0, 1_700_000_000_000L + seq,
                ("{\"value\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static List<SpoolRecord> readAll(Spool spool, String reader) throws Exception {
        try (SpoolReader r = spool.openReader(reader)) {
            List<SpoolRecord> records = new ArrayList<>();
            List<SpooledRecord> batch;
            while (!(batch = r.poll(1_000, Duration.ofMillis(50))).isEmpty()) {
                batch.forEach(s -> records.add(s.record()));
            }
            return records;
        }
    }

    private static void appendAll(Spool spool, List<SpoolRecord> records) {
        List<CompletableFuture<AppendOutcome>> futures = records.stream().map(spool::append).toList();
        futures.forEach(CompletableFuture::join);
    }

    @Test
    void appendedRecords_areReadBackInOrder_byteForByte() throws Exception {
        List<SpoolRecord> written = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            written.add(record(i % 3 == 0 ? "a" : "b", 1, i));
        }
        try (Spool spool = SegmentedFileSpool.open(config(64 << 10))) {
            appendAll(spool, written);
            assertThat(readAll(spool, "test")).isEqualTo(written);
            assertThat(spool.counters().appended()).isEqualTo(1_000);
            assertThat(spool.counters().fsyncs()).as("group commit").isLessThan(1_000);
            assertThat(spool.counters().segments()).as("rolled over 64 KiB segments").isGreaterThan(1);
        }
    }

    @Test
    void reopen_keepsEveryAcknowledgedRecord_andReaderResumesAtItsCommittedPosition() throws Exception {
        List<SpoolRecord> written = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            written.add(record("a", 1, i));
        }
        long committed;
        try (Spool spool = SegmentedFileSpool.open(config(1 << 20))) {
            appendAll(spool, written);
            try (SpoolReader reader = spool.openReader("bridge")) {
                List<SpooledRecord> first = reader.poll(40, Duration.ofSeconds(1));
                assertThat(first).hasSize(40);
                committed = first.getLast().nextPosition();
                reader.commit(committed);
            }
        }
        try (Spool spool = SegmentedFileSpool.open(config(1 << 20));
             SpoolReader reader = spool.openReader("bridge")) {
            assertThat(reader.committedPosition()).isEqualTo(committed);
            List<SpooledRecord> rest = reader.poll(1_000, Duration.ofSeconds(1));
            assertThat(rest).extracting(SpooledRecord::record).isEqualTo(written.subList(40, 100));
        }
    }

    @Test
    void retransmission_isAcknowledgedAsDuplicate_andNotStored_evenAfterReopen() throws Exception {
        try (Spool spool = SegmentedFileSpool.open(config(1 << 20))) {
            assertThat(spool.append(record("a", 1, 5)).join()).isEqualTo(AppendOutcome.APPENDED);
            assertThat(spool.append(record("a", 1, 5)).join()).isEqualTo(AppendOutcome.DUPLICATE);
            assertThat(spool.append(record("a", 1, 4)).join()).isEqualTo(AppendOutcome.DUPLICATE);
        }
        try (Spool spool = SegmentedFileSpool.open(config(1 << 20))) {
            assertThat(spool.append(record("a", 1, 5)).join()).isEqualTo(AppendOutcome.DUPLICATE);
            assertThat(spool.append(record("a", 2, 0)).join()).as("new boot").isEqualTo(AppendOutcome.APPENDED);
            assertThat(spool.append(record("b", 1, 0)).join()).as("other stream").isEqualTo(AppendOutcome.APPENDED);
            assertThat(readAll(spool, "test")).extracting(SpoolRecord::seq).containsExactly(5L, 0L, 0L);
        }
    }

    @Test
    void tornTail_atEveryByteOffsetOfTheLastRecord_isTruncated_andEarlierRecordsSurvive() throws Exception {
        List<SpoolRecord> written = List.of(record("a", 1, 0), record("a", 1, 1), record("a", 1, 2));
        try (Spool spool = SegmentedFileSpool.open(config(1 << 20))) {
            appendAll(spool, written);
        }
        Path segment = segments().getFirst();
        byte[] full = Files.readAllBytes(segment);
        int lastRecordStart = full.length - frameLength(written.get(2));
        for (int cut = lastRecordStart; cut < full.length; cut++) {
            Files.write(segment, java.util.Arrays.copyOf(full, cut));
            try (Spool spool = SegmentedFileSpool.open(config(1 << 20))) {
                assertThat(readAll(spool, "check-" + cut)).as("cut at byte " + cut).isEqualTo(written.subList(0, 2));
                assertThat(Files.size(segment)).isEqualTo(lastRecordStart);
                // The torn record was never acknowledged, so its retransmission is accepted.
                assertThat(spool.append(written.get(2)).join()).isEqualTo(AppendOutcome.APPENDED);
            }
            Files.write(segment, full);
            Files.deleteIfExists(dir.resolve("dedup.snapshot"));
        }
    }

    @Test
    void flippedBitInTheLastRecord_isDetectedByTheCrc() throws Exception {
        List<SpoolRecord> written = List.of(record("a", 1, 0), record("a", 1, 1));
        try (Spool spool = SegmentedFileSpool.open(config(1 << 20))) {
            appendAll(spool, written);
        }
        Path segment = segments().getFirst();
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 3] ^= 0x10;
        Files.write(segment, bytes);
        try (Spool spool = SegmentedFileSpool.open(config(1 << 20))) {
            assertThat(readAll(spool, "test")).containsExactly(written.getFirst());
        }
    }

    @Test
    void consumedSegments_areDeleted_andDedupMarksOutliveThem() throws Exception {
        try (Spool spool = SegmentedFileSpool.open(config(64 << 10))) {
            List<SpoolRecord> written = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                written.add(record("a", 1, i));
            }
            appendAll(spool, written);
            int segmentsBefore = spool.counters().segments();
            try (SpoolReader reader = spool.openReader("bridge")) {
                List<SpooledRecord> all = new ArrayList<>();
                List<SpooledRecord> batch;
                while (!(batch = reader.poll(500, Duration.ofMillis(50))).isEmpty()) {
                    all.addAll(batch);
                }
                reader.commit(all.getLast().nextPosition());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (spool.counters().segments() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(segmentsBefore).isGreaterThan(1);
            assertThat(spool.counters().segments()).isEqualTo(1);
        }
        try (Spool spool = SegmentedFileSpool.open(config(64 << 10))) {
            assertThat(spool.append(record("a", 1, 10)).join()).as("mark from a deleted segment")
                    .isEqualTo(AppendOutcome.DUPLICATE);
            assertThat(spool.append(record("a", 1, 2_000)).join()).isEqualTo(AppendOutcome.APPENDED);
        }
    }

    @Test
    void recordsWithoutIdentity_getMonotonicSeq_acrossReopen() throws Exception {
        SpoolRecord anonymous = new SpoolRecord("esp32-a", "lan/esp32-a/t", 7, SpoolRecord.ASSIGN_SEQ, "lan/esp32-a/t",
                false, 0, new byte[] {1});
        try (Spool spool = SegmentedFileSpool.open(config(1 << 20))) {
            appendAll(spool, List.of(anonymous, anonymous));
        }
        try (Spool spool = SegmentedFileSpool.open(config(1 << 20))) {
            appendAll(spool, List.of(anonymous));
            assertThat(readAll(spool, "test")).extracting(SpoolRecord::seq).containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void secondWriter_onTheSameDirectory_isRefused() throws Exception {
        try (Spool spool = SegmentedFileSpool.open(config(1 << 20))) {
            assertThat(spool.durablePosition()).isZero();
            assertThatThrownBy(() -> SegmentedFileSpool.open(config(1 << 20)))
                    .isInstanceOf(IOException.class).hasMessageContaining("already open");
        }
    }

    @Test
    void appendAfterClose_failsWithAClearReason() throws Exception {
        Spool spool = SegmentedFileSpool.open(config(1 << 20));
        spool.close();
        assertThat(spool.append(record("a", 1, 1))).failsWithin(Duration.ofSeconds(1))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withMessageContaining("spool is closed");
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    private static int frameLength(SpoolRecord record) {
        return dev.edgeline.broker.spool.internal.RecordCodec.frameSize(record);
    }
}
