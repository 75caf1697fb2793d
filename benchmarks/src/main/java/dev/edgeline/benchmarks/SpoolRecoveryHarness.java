package dev.edgeline.benchmarks;

import dev.edgeline.broker.spool.AppendOutcome;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.SpoolConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Recovery time: fills a spool with 200-byte records (default 512 MiB, 16 streams), closes it, and times opening it
 * again with the dedup index cache (scans only the tail) and without it (full scan: the worst case, after the index
 * was lost). The page cache is dropped before each open when the harness may (root), so the scan reads the disk.
 * Prints a table with milliseconds per GiB; no pass/fail.
 */
public final class SpoolRecoveryHarness {
    private SpoolRecoveryHarness() {}

    public static void main(String[] args) throws Exception {
        long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 512;
        WorkDirectory workDirectory = new WorkDirectory("recovery-bench-");
        Path dir = workDirectory.path();
        SpoolConfig config = SpoolConfig.singleLane(dir, 64L << 20, 64L << 30);
        byte[] payload = new byte[200];
        long records = 0;
        long writeStart = System.nanoTime();
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config, "bench-pi", InstantSource.system())) {
            List<CompletableFuture<AppendOutcome>> pending = new ArrayList<>();
            while (spool.counters().bytesOnDisk() < megabytes << 20) {
                for (int i = 0; i < 32_768; i++, records++) {
                    pending.add(spool.append(SpoolConfig.DEFAULT_LANE, new SpoolRecord("bench-pi",
                            "stream-" + (records & 15), 1, records >>> 4, "edge/bench-pi/s", true, records, payload)));
                }
                pending.forEach(CompletableFuture::join);
                pending.clear();
            }
        }
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        long bytes = Directories.size(dir);
        double gib = bytes / (double) (1L << 30);
        double withIndex = timeOpen(config);
        Files.delete(dir.resolve("dedup.index"));
        double fullScan = timeOpen(config);
        System.out.println();
        System.out.printf(Locale.ROOT, "Spool recovery: %,d records, %.0f MiB on disk (written in %.1f s)%n", records,
                bytes / 1048576.0, writeSeconds);
        System.out.println("| open | ms | ms per GiB |");
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| with dedup.index (tail scan) | %.0f | %.0f |%n", withIndex, withIndex / gib);
        System.out.printf(Locale.ROOT, "| index lost (full scan, marks rebuilt) | %.0f | %.0f |%n", fullScan,
                fullScan / gib);
        workDirectory.close();
    }

    private static double timeOpen(SpoolConfig config) throws IOException, InterruptedException {
        dropPageCache();
        long start = System.nanoTime();
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config, "bench-pi", InstantSource.system())) {
            return (System.nanoTime() - start) / 1e6;
        }
    }

    private static void dropPageCache() throws InterruptedException {
        try {
            new ProcessBuilder("sync").start().waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
        } catch (IOException e) {
            System.out.println("(page cache not dropped: " + e.getMessage() + ")");
        }
    }

}
