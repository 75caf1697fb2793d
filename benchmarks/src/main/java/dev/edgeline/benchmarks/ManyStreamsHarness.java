package dev.edgeline.benchmarks;

import dev.edgeline.broker.spool.AppendOutcome;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolReader;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.broker.spool.SpooledRecord;
import dev.edgeline.broker.spool.internal.RetiredMarksFile;
import dev.edgeline.config.SpoolConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Many streams on one spool (issue 20): the same number of records spread over few streams (100) and over many
 * (default 100,000; a device publishing to ever new topics, or a big gateway), alternated, several runs each. Per run:
 * the ingest rate (appends with 4,096 in flight, as the broker's group commit sees them), bytes and segments on disk
 * against the records' own bytes (what a record costs must not grow with the streams), the size of
 * {@code marks.retired} once every segment was consumed and deleted, the time to open the spool again with its
 * {@code dedup.index} and without it (marks from {@code marks.retired} and the segments), and the heap the marks take.
 * Prints medians with min and max; no pass/fail.
 */
public final class ManyStreamsHarness {
    private static final int IN_FLIGHT = 4_096;
    private static final long SEGMENT_BYTES = 16L << 20;

    private ManyStreamsHarness() {}

    private record Run(double appendsPerSecond, double diskPerRecordByte, int segments, long retiredBytes,
                       double openWithIndexMs, double openWithoutIndexMs, double heapBytesPerStream) {}

    public static void main(String[] args) throws Exception {
        int streams = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int recordsPerStream = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long records = (long) streams * recordsPerStream;
        int[] shapes = {100, streams};
        List<List<Run>> results = List.of(new ArrayList<>(), new ArrayList<>());
        for (int run = 0; run < runs; run++) {
            for (int shape = 0; shape < shapes.length; shape++) {
                Run result = run(shapes[shape], records);
                results.get(shape).add(result);
                System.err.printf(Locale.ROOT, "run %d, %,d streams: %.0f appends/s, %.3f disk bytes per record byte, "
                                + "%d segments, marks.retired %,d B, open %.0f / %.0f ms, %.0f heap B per stream%n",
                        run + 1, shapes[shape], result.appendsPerSecond(), result.diskPerRecordByte(),
                        result.segments(),
                        result.retiredBytes(), result.openWithIndexMs(), result.openWithoutIndexMs(),
                        result.heapBytesPerStream());
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Many streams: %,d records of 64-byte payloads, %d-MiB segments, %d runs "
                + "alternated; median (min-max)%n", records, SEGMENT_BYTES >> 20, runs);
        System.out.println("| streams | appends/s | disk bytes per record byte | segments | marks.retired after "
                + "draining | open with dedup.index | open without it | heap per stream (marks) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int shape = 0; shape < shapes.length; shape++) {
            List<Run> r = results.get(shape);
            System.out.printf(Locale.ROOT, "| %,d | %s | %s | %s | %s | %s ms | %s ms | %s B |%n", shapes[shape],
                    stat(r.stream().mapToDouble(Run::appendsPerSecond).toArray(), "%,.0f"),
                    stat(r.stream().mapToDouble(Run::diskPerRecordByte).toArray(), "%.3f"),
                    stat(r.stream().mapToDouble(Run::segments).toArray(), "%.0f"),
                    stat(r.stream().mapToDouble(Run::retiredBytes).toArray(), "%,.0f B"),
                    stat(r.stream().mapToDouble(Run::openWithIndexMs).toArray(), "%,.0f"),
                    stat(r.stream().mapToDouble(Run::openWithoutIndexMs).toArray(), "%,.0f"),
                    stat(r.stream().mapToDouble(Run::heapBytesPerStream).toArray(), "%,.0f"));
        }
    }

    private static Run run(int streams, long records) throws Exception {
        try (WorkDirectory work = new WorkDirectory("many-streams-bench-")) {
            Path dir = work.path().resolve("spool");
            SpoolConfig config = new SpoolConfig(dir, SEGMENT_BYTES, 64L << 30,
                    List.of(new SpoolConfig.Lane(SpoolConfig.DEFAULT_LANE, 64L << 30, SpoolConfig.FullPolicy.BLOCK)),
                    Duration.ofSeconds(30), new SpoolConfig.StreamLimits(streams + 10, streams + 10));
            String[] names = new String[streams];
            for (int i = 0; i < streams; i++) {
                names[i] = String.format(Locale.ROOT, "lan/esp32-%06d/temperature", i);
            }
            byte[] payload = new byte[64];
            long recordBytes = 0;
            long start;
            long elapsed;
            try (SegmentedFileSpool spool = SegmentedFileSpool.open(config, "bench-pi", InstantSource.system())) {
                List<CompletableFuture<AppendOutcome>> pending = new ArrayList<>(IN_FLIGHT);
                start = System.nanoTime();
                for (long n = 0; n < records; n++) {
                    int stream = (int) (n % streams);
                    SpoolRecord record = new SpoolRecord("bench-pi/gw", names[stream], 1, n / streams, names[stream],
                            true, n, payload);
                    recordBytes += payload.length + 2L * names[stream].length() + "bench-pi/gw".length();
                    pending.add(spool.append(SpoolConfig.DEFAULT_LANE, record));
                    if (pending.size() == IN_FLIGHT) {
                        pending.forEach(CompletableFuture::join);
                        pending.clear();
                    }
                }
                pending.forEach(CompletableFuture::join);
                elapsed = System.nanoTime() - start;
            }
            long segmentBytes = Directories.size(dir.resolve("lanes"));
            int segments = segmentCount(dir.resolve("lanes"));
            long retired;
            try (SegmentedFileSpool spool = SegmentedFileSpool.open(config, "bench-pi", InstantSource.system())) {
                drain(spool);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (spool.counters().segments() > 1 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
            }
            retired = Files.size(dir.resolve(RetiredMarksFile.FILE));
            double withIndex = timeOpen(config);
            Files.deleteIfExists(dir.resolve("dedup.index"));
            long heapBefore = usedHeap();
            long openStart = System.nanoTime();
            double withoutIndex;
            double heapPerStream;
            try (SegmentedFileSpool spool = SegmentedFileSpool.open(config, "bench-pi", InstantSource.system())) {
                withoutIndex = (System.nanoTime() - openStart) / 1e6;
                heapPerStream = Math.max(0, usedHeap() - heapBefore) / (double) streams;
            }
            return new Run(records / (elapsed / 1e9), segmentBytes / (double) recordBytes, segments, retired,
                    withIndex, withoutIndex, heapPerStream);
        }
    }

    private static void drain(SegmentedFileSpool spool) throws Exception {
        try (SpoolReader reader = spool.openReader("bridge")) {
            List<SpooledRecord> batch;
            while (!(batch = reader.poll(10_000, Duration.ofMillis(200))).isEmpty()) {
                reader.commit(batch);
            }
        }
    }

    private static double timeOpen(SpoolConfig config) throws IOException {
        long start = System.nanoTime();
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config, "bench-pi", InstantSource.system())) {
            return (System.nanoTime() - start) / 1e6;
        }
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String stat(double[] values, String format) {
        return Stats.spread(Arrays.stream(values).boxed().toList(), format);
    }


    private static int segmentCount(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return (int) files.filter(p -> p.toString().endsWith(".seg")).count();
        }
    }
}
