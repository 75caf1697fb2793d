package dev.edgeline.broker.receipts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.broker.spool.Spool.DurableMark;
import dev.edgeline.broker.spool.Spool.StreamId;
import dev.edgeline.broker.spool.Spool.StreamMark;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamReceiptsTest {
    @TempDir
    Path dir;

    private static final StreamId KITCHEN = new StreamId("gw-1/esp32-kitchen", "temperature");
    private static final StreamId DOOR = new StreamId("pi-1", "door");

    @Test
    void aWriterOfIngestedAndAWriterOfCommittedMarks_shareOneFile_andNeitherUndoesTheOther() throws Exception {
        try (StreamReceipts broker = StreamReceipts.open(dir); StreamReceipts bridge = StreamReceipts.open(dir)) {
            broker.ingested(Map.of(KITCHEN, new DurableMark("telemetry", 3, 10),
                    DOOR, new DurableMark("telemetry", 1, 0)));
            broker.flush();
            broker.ingested(Map.of(KITCHEN, new DurableMark("telemetry", 3, 14)));
            broker.ingested(Map.of(KITCHEN, new DurableMark("telemetry", 3, 12))); // lower: ignored
            broker.flush();
            bridge.committed(Map.of(KITCHEN, new StreamMark(3, 11)));
            bridge.flush();
            broker.ingested(Map.of(KITCHEN, new DurableMark("telemetry", 4, 15)));
            broker.flush();
        }
        try (StreamReceipts status = StreamReceipts.openToRead(dir)) {
            assertThat(status.snapshot()).hasSize(2);
            StreamReceipts.Receipt kitchen = status.snapshot().get(0);
            assertThat(kitchen.device()).isEqualTo("gw-1/esp32-kitchen");
            assertThat(kitchen.stream()).isEqualTo("temperature");
            assertThat(kitchen.lane()).isEqualTo("telemetry");
            assertThat(kitchen.firstSeq()).isEqualTo(10);
            assertThat(kitchen.ingestedBoot()).isEqualTo(4);
            assertThat(kitchen.ingestedSeq()).isEqualTo(15);
            assertThat(kitchen.committedSeq()).isEqualTo(11);
            assertThat(kitchen.committedAtMillis()).isPositive();
            assertThat(kitchen.lagRecords()).isEqualTo(4);
            StreamReceipts.Receipt door = status.snapshot().get(1);
            assertThat(door.device()).isEqualTo("pi-1");
            assertThat(door.committedAtMillis()).isZero();
            assertThat(door.lagRecords()).as("nothing committed yet: everything since the first seq").isEqualTo(1);
        }
    }

    @Test
    void closeWritesWhatIsPending() throws Exception {
        try (StreamReceipts broker = StreamReceipts.open(dir)) {
            broker.ingested(Map.of(DOOR, new DurableMark("telemetry", 1, 41)));
        }
        try (StreamReceipts status = StreamReceipts.openToRead(dir)) {
            assertThat(status.snapshot()).singleElement().extracting(StreamReceipts.Receipt::ingestedSeq).isEqualTo(41L);
        }
    }

    @Test
    void aDamagedFileCostsOnlyTheReportOfItsHalf_andTheHalfStartsAfresh() throws Exception {
        try (StreamReceipts broker = StreamReceipts.open(dir)) {
            broker.ingested(Map.of(DOOR, new DurableMark("telemetry", 1, 41)));
            broker.committed(Map.of(DOOR, new StreamMark(1, 40)));
        }
        Path ingested = dir.resolve("receipts.ingested");
        byte[] bytes = Files.readAllBytes(ingested);
        Files.write(ingested, java.util.Arrays.copyOf(bytes, bytes.length - 9)); // torn, as after a power cut
        try (StreamReceipts status = StreamReceipts.openToRead(dir)) {
            assertThat(status.snapshot()).singleElement().satisfies(r -> {
                assertThat(r.ingestedAtMillis()).as("the torn half is left out").isZero();
                assertThat(r.committedSeq()).isEqualTo(40);
            });
        }
        Files.write(ingested, new byte[0]); // renamed into place, its data never written
        try (StreamReceipts broker = StreamReceipts.open(dir)) {
            broker.ingested(Map.of(KITCHEN, new DurableMark("telemetry", 3, 7)));
        }
        try (StreamReceipts status = StreamReceipts.openToRead(dir)) {
            assertThat(status.snapshot()).extracting(StreamReceipts.Receipt::stream, StreamReceipts.Receipt::ingestedSeq)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("temperature", 7L),
                            org.assertj.core.groups.Tuple.tuple("door", -1L));
        }
    }

    @Test
    void aFileOfTheOtherHalfOrOfSomethingElseIsNotReadAsReceipts() throws Exception {
        Files.write(dir.resolve("receipts.committed"), ReceiptsFile.encode(ReceiptsFile.Side.INGESTED,
                Map.of(DOOR, new ReceiptsFile.Mark("telemetry", 0, 1, 5, 1))));
        assertThatThrownBy(() -> ReceiptsFile.read(dir.resolve("receipts.committed"), ReceiptsFile.Side.COMMITTED))
                .isInstanceOf(ReceiptsFile.DamagedReceiptsException.class).hasMessageContaining("COMMITTED side");
        Files.writeString(dir.resolve("receipts.ingested"), "some other file of the same name, long enough");
        assertThatThrownBy(() -> ReceiptsFile.read(dir.resolve("receipts.ingested"), ReceiptsFile.Side.INGESTED))
                .isInstanceOf(ReceiptsFile.DamagedReceiptsException.class).hasMessageContaining("checksum mismatch");
    }

    @Test
    void aProcessThatNeverNotesOneHalfNeverWritesIt_soTwoWritersNeverUndoEachOther() throws Exception {
        try (StreamReceipts bridge = StreamReceipts.open(dir)) {
            bridge.committed(Map.of(DOOR, new StreamMark(1, 9)));
        }
        try (StreamReceipts broker = StreamReceipts.open(dir)) {
            broker.ingested(Map.of(DOOR, new DurableMark("telemetry", 1, 12)));
            broker.flush();
            try (StreamReceipts bridge = StreamReceipts.open(dir)) {
                bridge.committed(Map.of(DOOR, new StreamMark(1, 12)));
            }
        }
        try (StreamReceipts status = StreamReceipts.openToRead(dir)) {
            assertThat(status.snapshot()).singleElement().satisfies(r -> {
                assertThat(r.ingestedSeq()).isEqualTo(12);
                assertThat(r.committedSeq()).isEqualTo(12);
                assertThat(r.lagRecords()).isZero();
            });
        }
    }

    @Test
    void readingWhereNoneWereKept_saysSo_andLeavesNoFileBehind() {
        assertThatThrownBy(() -> StreamReceipts.openToRead(dir)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no receipts yet");
        assertThat(dir).isEmptyDirectory();
    }
}
