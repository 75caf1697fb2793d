package dev.edgeline.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.agent.Reading;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskOutboxTest {
    @TempDir
    Path dir;

    private static Reading reading(String stream, long seq) {
        return Reading.value("pi-1", stream, 1, seq, seq * 0.5, "°C", false, Instant.EPOCH, seq, true);
    }

    private static List<Long> drainSeqs(DiskOutbox outbox, boolean acknowledge) throws IOException {
        List<Long> seqs = new ArrayList<>();
        DiskOutbox.Entry e;
        while ((e = outbox.poll()) != null) {
            seqs.add(e.reading().seq());
            if (acknowledge) {
                assertThat(outbox.acknowledge(e.order())).isTrue();
            }
        }
        return seqs;
    }

    @Test
    void readingsComeOutInOrder_andLeaveOnlyWhenAcknowledged() throws IOException {
        try (DiskOutbox outbox = new DiskOutbox(dir, 1 << 20)) {
            for (long i = 0; i < 10; i++) {
                outbox.append(reading("t", i));
            }
            DiskOutbox.Entry first = outbox.poll();
            DiskOutbox.Entry second = outbox.poll();
            assertThat(outbox.pending()).isEqualTo(10);
            outbox.giveBack(List.of(first, second));
            assertThat(drainSeqs(outbox, true)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(outbox.pending()).isZero();
            assertThat(outbox.acknowledge(3)).as("a second ack of the same reading").isFalse();
        }
    }

    @Test
    void aBacklogLargerThanTheMemoryWindow_isReadBackFromDisk_inOrder_withThePayloadIntact() throws IOException {
        int n = DiskOutbox.MEMORY_WINDOW * 5 + 17;
        try (DiskOutbox outbox = new DiskOutbox(dir, 64 << 20)) {
            for (long i = 0; i < n; i++) {
                outbox.append(reading("t", i));
            }
            List<DiskOutbox.Entry> all = new ArrayList<>();
            DiskOutbox.Entry e;
            while ((e = outbox.poll()) != null) {
                all.add(e);
                outbox.acknowledge(e.order());
            }
            assertThat(all).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(all.get(i).reading()).isEqualTo(reading("t", i));
            }
        }
    }

    @Test
    void afterARestart_unacknowledgedReadingsComeBack_andAcknowledgedOnesBeforeTheLastSyncDoNot() throws IOException {
        DiskOutbox outbox = new DiskOutbox(dir, 1 << 20);
        for (long i = 0; i < 100; i++) {
            outbox.append(reading("t", i));
        }
        for (int i = 0; i < 40; i++) {
            outbox.acknowledge(outbox.poll().order());
        }
        outbox.sync();
        for (int i = 0; i < 10; i++) {
            outbox.acknowledge(outbox.poll().order()); // acknowledged after the last sync
        }
        // no close(): the process dies here
        try (DiskOutbox reopened = new DiskOutbox(dir, 1 << 20)) {
            assertThat(reopened.pending()).isEqualTo(60);
            List<Long> seqs = drainSeqs(reopened, true);
            assertThat(seqs.getFirst()).isEqualTo(40L); // 40..49 again: the broker drops them as duplicates
            assertThat(seqs).hasSize(60);
            reopened.append(reading("t", 100));
            assertThat(reopened.poll().order()).as("orders continue after the restart").isEqualTo(100L);
        }
    }

    @Test
    void aTornFrameAtTheEnd_isTruncated_andEverythingBeforeItSurvives() throws IOException {
        try (DiskOutbox outbox = new DiskOutbox(dir, 1 << 20)) {
            for (long i = 0; i < 20; i++) {
                outbox.append(reading("t", i));
            }
            outbox.sync();
        }
        Path segment;
        try (var files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".log")).sorted().toList().getFirst();
        }
        long size = Files.size(segment);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(size - 7);                      // the last frame lost its tail in a power cut
        }
        try (DiskOutbox reopened = new DiskOutbox(dir, 1 << 20)) {
            assertThat(drainSeqs(reopened, true)).hasSize(19).last().isEqualTo(18L);
            reopened.append(reading("t", 19));
            assertThat(drainSeqs(reopened, true)).containsExactly(19L);
        }
    }

    @Test
    void overTheBudget_theOldestAreDropped_countedAndReportedPerStream() throws IOException {
        long budget = 256 << 10;                             // segments of 64 KiB
        try (DiskOutbox outbox = new DiskOutbox(dir, budget)) {
            int n = 10_000;                                  // ~1.5 MiB of readings, broker unreachable
            for (long i = 0; i < n; i++) {
                outbox.append(reading(i % 2 == 0 ? "a" : "b", i / 2));
            }
            List<DiskOutbox.Overflow> overflows = outbox.takeOverflow();
            long dropped = overflows.stream().mapToLong(DiskOutbox.Overflow::dropped).sum();
            assertThat(dropped).isEqualTo(outbox.dropped()).isPositive();
            assertThat(overflows.getFirst().byStream()).containsOnlyKeys("a", "b");
            assertThat(overflows.getFirst().byStream().get("a")[0]).as("first dropped seq of a").isZero();
            List<Long> left = drainSeqs(outbox, true);
            assertThat(left.size() + dropped).as("every reading either kept or counted as dropped").isEqualTo(n);
            long size;
            try (var files = Files.list(dir)) {
                size = files.mapToLong(p -> p.toFile().length()).sum();
            }
            assertThat(size).isLessThanOrEqualTo(budget + 64);
        }
    }
}
