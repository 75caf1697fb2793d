package dev.edgeline.broker.spool;

import static dev.edgeline.broker.spool.SpoolFixtures.LANE;
import static dev.edgeline.broker.spool.SpoolFixtures.appendAll;
import static dev.edgeline.broker.spool.SpoolFixtures.oneLane;
import static dev.edgeline.broker.spool.SpoolFixtures.open;
import static dev.edgeline.broker.spool.SpoolFixtures.readAll;
import static dev.edgeline.broker.spool.SpoolFixtures.readAllSpooled;
import static dev.edgeline.broker.spool.SpoolFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.broker.spool.internal.RecordCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool on one lane: order, durability across reopen, dedup, recovery from damaged files. */
class SegmentedFileSpoolTest {
    @TempDir
    Path dir;

    @Test
    void appendedRecords_areReadBackInOrder_byteForByte_withGroupCommit() throws Exception {
        List<SpoolRecord> written = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            written.add(record(i % 3 == 0 ? "a" : "b", 1, i));
        }
        try (Spool spool = open(oneLane(dir, 64 << 10))) {
            appendAll(spool, LANE, written);
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
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            appendAll(spool, LANE, written);
            try (SpoolReader reader = spool.openReader("bridge")) {
                List<SpooledRecord> first = reader.poll(40, Duration.ofSeconds(1));
                assertThat(first).hasSize(40);
                reader.commit(first);
            }
        }
        try (Spool spool = open(oneLane(dir, 1 << 20));
             SpoolReader reader = spool.openReader("bridge")) {
            List<SpooledRecord> rest = reader.poll(1_000, Duration.ofSeconds(1));
            assertThat(rest).extracting(SpooledRecord::record).isEqualTo(written.subList(40, 100));
        }
    }

    @Test
    void retransmission_isAcknowledgedAsDuplicate_andNotStored_evenAfterReopen() throws Exception {
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            assertThat(spool.append(LANE, record("a", 1, 5)).join()).isEqualTo(AppendOutcome.APPENDED);
            assertThat(spool.append(LANE, record("a", 1, 5)).join()).isEqualTo(AppendOutcome.DUPLICATE);
            assertThat(spool.append(LANE, record("a", 1, 4)).join()).isEqualTo(AppendOutcome.DUPLICATE);
        }
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            assertThat(spool.append(LANE, record("a", 1, 5)).join()).isEqualTo(AppendOutcome.DUPLICATE);
            assertThat(spool.append(LANE, record("a", 2, 0)).join()).as("new boot").isEqualTo(AppendOutcome.APPENDED);
            assertThat(spool.append(LANE, record("b", 1, 0)).join()).as("other stream").isEqualTo(AppendOutcome.APPENDED);
            assertThat(readAll(spool, "test")).extracting(SpoolRecord::seq).containsExactly(5L, 0L, 0L);
            assertThat(spool.counters().duplicates()).isEqualTo(1);
        }
    }

    @Test
    void tornTail_atEveryByteOffsetOfTheLastRecord_isTruncated_andEarlierRecordsSurvive() throws Exception {
        List<SpoolRecord> written = List.of(record("a", 1, 0), record("a", 1, 1), record("a", 1, 2));
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            appendAll(spool, LANE, written);
        }
        Path segment = segments().getFirst();
        byte[] full = Files.readAllBytes(segment);
        int lastRecordStart = full.length - RecordCodec.frameSize(written.get(2));
        for (int cut = lastRecordStart; cut < full.length; cut++) {
            Files.write(segment, Arrays.copyOf(full, cut));
            Files.deleteIfExists(dir.resolve("dedup.index"));
            try (Spool spool = open(oneLane(dir, 1 << 20))) {
                assertThat(readAll(spool, "check-" + cut)).as("cut at byte " + cut).isEqualTo(written.subList(0, 2));
                assertThat(Files.size(segment)).isEqualTo(lastRecordStart);
                // The torn record was never acknowledged, so its retransmission is accepted.
                assertThat(spool.append(LANE, written.get(2)).join()).isEqualTo(AppendOutcome.APPENDED);
            }
            Files.write(segment, full);
        }
    }

    @Test
    void flippedBitsInAMiddleRecord_areSkippedAsAGapMarker_andEverythingElseSurvives() throws Exception {
        List<SpoolRecord> written = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            written.add(record("a", 1, i));
        }
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            appendAll(spool, LANE, written);
        }
        Path segment = segments().getFirst();
        byte[] bytes = Files.readAllBytes(segment);
        int frame = RecordCodec.frameSize(written.getFirst());
        int thirdRecordPayload = bytes.length - 2 * frame - 5; // inside record 2's payload
        bytes[thirdRecordPayload] ^= 0x10;
        bytes[thirdRecordPayload - 7] ^= 0x01;
        Files.write(segment, bytes);
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            List<SpooledRecord> read = readAllSpooled(spool, "test");
            assertThat(read).extracting(r -> r.record().kind()).containsExactly(RecordKind.DATA, RecordKind.DATA,
                    RecordKind.GAP, RecordKind.DATA, RecordKind.DATA);
            assertThat(read.stream().filter(r -> r.record().kind() == RecordKind.DATA).map(SpooledRecord::record))
                    .containsExactly(written.get(0), written.get(1), written.get(3), written.get(4));
            SpooledRecord gap = read.get(2);
            assertThat(gap.nextPosition() - gap.position()).as("exactly the damaged frame").isEqualTo(frame);
            assertThat(new String(gap.record().payload())).contains("\"reason\":\"damaged\"")
                    .contains("\"bytes\":" + frame);
            assertThat(Files.size(segment)).as("damage in the middle is not truncated").isEqualTo(bytes.length);
        }
    }

    @Test
    void consumedSegments_areDeleted_andDedupMarksOutliveThem_evenWithoutTheIndex() throws Exception {
        try (Spool spool = open(oneLane(dir, 64 << 10))) {
            List<SpoolRecord> written = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                written.add(record("a", 1, i));
            }
            appendAll(spool, LANE, written);
            int segmentsBefore = spool.counters().segments();
            try (SpoolReader reader = spool.openReader("bridge")) {
                List<SpooledRecord> batch;
                while (!(batch = reader.poll(500, Duration.ofMillis(50))).isEmpty()) {
                    reader.commit(batch);
                }
            }
            awaitSegments(spool, 1);
            assertThat(segmentsBefore).isGreaterThan(1);
        }
        for (String damage : List.of("deleted", "truncated")) {
            Path index = dir.resolve("dedup.index");
            if (damage.equals("deleted")) {
                Files.deleteIfExists(index);
            } else {
                Files.write(index, Arrays.copyOf(Files.readAllBytes(index), 9));
            }
            try (Spool spool = open(oneLane(dir, 64 << 10))) {
                assertThat(spool.append(LANE, record("a", 1, 10)).join())
                        .as("retransmission of a record whose segment is gone, index " + damage)
                        .isEqualTo(AppendOutcome.DUPLICATE);
            }
        }
        try (Spool spool = open(oneLane(dir, 64 << 10))) {
            assertThat(spool.append(LANE, record("a", 1, 2_000)).join()).isEqualTo(AppendOutcome.APPENDED);
        }
    }

    @Test
    void recordsWithoutIdentity_getMonotonicSeq_acrossReopen() throws Exception {
        SpoolRecord anonymous = new SpoolRecord("esp32-a", "lan/esp32-a/t", 7, SpoolRecord.ASSIGN_SEQ, "lan/esp32-a/t",
                false, 0, new byte[] {1});
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            appendAll(spool, LANE, List.of(anonymous, anonymous));
        }
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            appendAll(spool, LANE, List.of(anonymous));
            assertThat(readAll(spool, "test")).extracting(SpoolRecord::seq).containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void bootNumber_increasesAtEveryOpen() throws Exception {
        long first;
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            first = spool.boot();
        }
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            assertThat(spool.boot()).isEqualTo(first + 1);
        }
    }

    @Test
    void secondWriter_onTheSameDirectory_isRefused() throws Exception {
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            assertThat(spool.lanes()).containsExactly(LANE);
            assertThatThrownBy(() -> open(oneLane(dir, 1 << 20)))
                    .isInstanceOf(IOException.class).hasMessageContaining("already open");
        }
    }

    @Test
    void appendAfterClose_andToAnUnknownLane_failWithAClearReason() throws Exception {
        Spool spool = open(oneLane(dir, 1 << 20));
        assertThat(spool.append("nope", record("a", 1, 1))).failsWithin(Duration.ofSeconds(1))
                .withThrowableOfType(ExecutionException.class).withMessageContaining("no spool lane named 'nope'");
        spool.close();
        assertThat(spool.append(LANE, record("a", 1, 1))).failsWithin(Duration.ofSeconds(1))
                .withThrowableOfType(ExecutionException.class).withMessageContaining("spool is closed");
    }

    private void awaitSegments(Spool spool, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (spool.counters().segments() > expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(spool.counters().segments()).isEqualTo(expected);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("lanes").resolve(LANE))) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }
}
