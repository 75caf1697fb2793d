package dev.edgeline.broker.spool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.spool.Spool.Origin;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginLogTest {
    @TempDir
    Path dir;

    @Test
    void theLatestEventPerPacketIdCounts_acrossAReopen() throws Exception {
        Origin first = new Origin("esp32", 1, 7, 11, 4);
        Origin reused = new Origin("esp32", 1, 7, 11, 4); // the same packet id and content again
        Origin other = new Origin("esp32", 2, 7, 22, 4);
        try (OriginLog log = OriginLog.open(dir)) {
            log.received(List.of(first, other));
            log.stored(List.of(first, other));
            log.received(List.of(reused)); // arrived, then the process died before it was stored
        }
        try (OriginLog log = OriginLog.open(dir)) {
            assertThat(log.stored()).as("packet 1's latest event is RECEIVED: a resend of it must be stored")
                    .containsExactly(other);
        }
    }

    @Test
    void aTornLastEntryIsCutOff_andTheFileIsCompactedWhenItGrows() throws Exception {
        try (OriginLog log = OriginLog.open(dir)) {
            log.stored(List.of(new Origin("a", 1, 7, 1, 1)));
            log.stored(List.of(new Origin("a", 2, 7, 2, 1)));
        }
        Path file = dir.resolve(OriginLog.FILE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(file) - 2);
        }
        try (OriginLog log = OriginLog.open(dir)) {
            assertThat(log.stored()).extracting(Origin::packetId).containsExactly(1);
            List<Origin> many = new ArrayList<>();
            for (int round = 0; round < 400; round++) {
                many.clear();
                for (int id = 1; id <= 250; id++) {
                    many.add(new Origin("b-" + "x".repeat(40), id, 7, round, 8));
                }
                log.stored(many);
            }
            // 100,000 entries of about 70 bytes would be 7 MB; compaction keeps the 250 live ones.
            assertThat(Files.size(file)).isLessThan(OriginLog.MIN_COMPACT_BYTES + 200_000);
        }
        try (OriginLog log = OriginLog.open(dir)) {
            assertThat(log.stored()).hasSize(251).anySatisfy(o -> assertThat(o.payloadHash()).isEqualTo(399));
        }
    }
}
