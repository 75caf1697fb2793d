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
    void aWriterDeletesGenerationsNothingLeadsTo_onceTheyAreAMinuteOld() throws Exception {
        Path abandoned = Files.writeString(dir.resolve("receipts-4242-1.cmap"), "left by a replacement that died");
        Files.setLastModifiedTime(abandoned, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - 120_000));
        Path recent = Files.writeString(dir.resolve("receipts-4243-1.cmap"), "a replacement under way");
        try (StreamReceipts status = StreamReceipts.open(dir)) {
            assertThat(abandoned).doesNotExist();
            assertThat(recent).exists();
        }
    }

    @Test
    void readingWhereNoneWereKept_saysSo_andLeavesNoFileBehind() {
        assertThatThrownBy(() -> StreamReceipts.openToRead(dir)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no receipts yet");
        assertThat(dir.resolve(StreamReceipts.FILE)).doesNotExist();
    }
}
