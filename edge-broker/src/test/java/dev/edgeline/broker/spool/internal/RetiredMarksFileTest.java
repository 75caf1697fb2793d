package dev.edgeline.broker.spool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.spool.internal.StreamMarks.Mark;
import dev.edgeline.broker.spool.internal.StreamMarks.StreamKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetiredMarksFileTest {
    @TempDir
    Path dir;

    @Test
    void retiringTheSameStreamsOverAndOver_compactsTheFile_andReopeningGivesTheHighestMarks() throws Exception {
        StreamMarks live = new StreamMarks();
        List<StreamKey> keys = java.util.stream.IntStream.range(0, 100)
                .mapToObj(i -> new StreamKey("dev", "stream-" + i + "-" + "x".repeat(100))).toList();
        try (RetiredMarksFile file = RetiredMarksFile.open(dir, new StreamMarks())) {
            for (long seq = 0; seq < 1_000; seq++) {
                for (StreamKey key : keys) {
                    live.raise(key, 1, seq);
                }
                file.retire(keys, live);
            }
            // 1,000 entries of about 13 KB would be 13 MB: compaction keeps it near twice the threshold at most.
            assertThat(file.size()).isLessThan(3 * RetiredMarksFile.MIN_COMPACT_BYTES);
        }
        StreamMarks reopened = new StreamMarks();
        try (RetiredMarksFile file = RetiredMarksFile.open(dir, reopened)) {
            assertThat(reopened.size()).isEqualTo(100);
            assertThat(reopened.get(keys.get(42))).contains(new Mark(1, 999));
            assertThat(reopened.streamsOf("dev")).isEqualTo(100);
        }
    }

    @Test
    void aTornLastEntry_isCutOff_andTheEntriesBeforeItKept() throws Exception {
        StreamMarks live = new StreamMarks();
        StreamKey a = new StreamKey("dev", "a");
        StreamKey b = new StreamKey("dev", "b");
        live.raise(a, 1, 5);
        live.raise(b, 2, 7);
        try (RetiredMarksFile file = RetiredMarksFile.open(dir, new StreamMarks())) {
            file.retire(List.of(a), live);
            file.retire(List.of(b), live);
        }
        Path path = dir.resolve(RetiredMarksFile.FILE);
        long size = Files.size(path);
        try (var channel = java.nio.channels.FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.truncate(size - 3); // a crash while the second entry was being written
        }
        StreamMarks reopened = new StreamMarks();
        try (RetiredMarksFile file = RetiredMarksFile.open(dir, reopened)) {
            assertThat(reopened.get(a)).contains(new Mark(1, 5));
            assertThat(reopened.get(b)).isEmpty();
            live.raise(b, 2, 8);
            file.retire(List.of(b), live);
        }
        StreamMarks again = new StreamMarks();
        try (RetiredMarksFile file = RetiredMarksFile.open(dir, again)) {
            assertThat(again.get(b)).as("an entry appended after the cut is readable").contains(new Mark(2, 8));
        }
    }
}
