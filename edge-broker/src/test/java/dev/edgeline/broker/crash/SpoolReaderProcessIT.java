package dev.edgeline.broker.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.spool.AppendOutcome;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.SpoolConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A second process reads the spool while this one writes: every record once, in order. */
@Timeout(180)
class SpoolReaderProcessIT {

    @Test
    void readerInAnotherProcess_seesEveryRecordOnce_inOrder_whileTheWriterWrites(@TempDir Path dir) throws Exception {
        int records = 20_000;
        SpoolConfig config = SpoolConfig.singleLane(dir, 256 << 10, 1L << 30);
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config, "pi-x", InstantSource.system());
             ChildJvm reader = ChildJvm.start(ReaderProcessMain.class, dir.toString(), Integer.toString(records))) {
            reader.awaitLine("READY", Duration.ofSeconds(30));
            List<CompletableFuture<AppendOutcome>> pending = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                pending.add(spool.append(SpoolConfig.DEFAULT_LANE, new SpoolRecord("pi-x", "s" + (i % 4), 1, i / 4,
                        "edge/pi-x/s" + (i % 4), false, i, new byte[100])));
                if (i % 500 == 0) { // bursts with pauses: the reader catches up and waits several times
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                    Thread.sleep(20);
                }
            }
            pending.forEach(CompletableFuture::join);
            reader.awaitLine("DONE", Duration.ofSeconds(60));
            List<String> lines = reader.drainLines().stream().filter(l -> l.startsWith("telemetry ")).toList();
            assertThat(lines).hasSize(records);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                expected.add("telemetry s" + (i % 4) + " " + (i / 4));
            }
            assertThat(lines).containsExactlyElementsOf(expected);
            assertThat(reader.waitFor(Duration.ofSeconds(10))).isZero();
        }
    }
}
