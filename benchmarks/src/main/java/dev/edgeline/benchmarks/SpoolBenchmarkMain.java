package dev.edgeline.benchmarks;

import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.broker.spool.internal.RecordCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Spool benchmark harness: durable appends per second with 1, 4, 16 and 64 concurrent appenders (JMH: 1 fork,
 * 2 x 3 s warmup, 3 x 5 s measurement), and beside each the physical limit of this disk: raw
 * {@code FileChannel.write} + {@code force} of the same frames in the same batch size the spool achieved.
 * Prints a table; no pass/fail.
 */
public final class SpoolBenchmarkMain {
    private SpoolBenchmarkMain() {}

    public static void main(String[] args) throws RunnerException, IOException {
        int[] threadCounts = {1, 4, 16, 64};
        List<String> rows = new ArrayList<>();
        for (int threads : threadCounts) {
            Options options = new OptionsBuilder()
                    .include(SpoolAppendBenchmark.class.getSimpleName())
                    .forks(1)
                    .threads(threads)
                    .warmupIterations(2).warmupTime(TimeValue.seconds(3))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(5))
                    .jvmArgsAppend("-Xmx512m")
                    .build();
            RunResult result = new Runner(options).runSingle();
            double opsPerSecond = result.getPrimaryResult().getScore();
            double error = result.getPrimaryResult().getScoreError();
            // Group commit cannot batch more than the number of waiting appenders.
            int batch = threads;
            double raw = rawWriteForce(batch, 5_000);
            rows.add(String.format(Locale.ROOT, "| %3d | %,12.0f ± %,8.0f | %5d | %,12.0f | %5.2f |", threads,
                    opsPerSecond, error, batch, raw, opsPerSecond / raw));
        }
        System.out.println();
        System.out.println("Spool: durable appends of 200-byte records (append + fsync before the future completes)");
        System.out.println("| threads | spool records/s | batch | raw write+force records/s (same batch) | spool/raw |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println("frame overhead per record: " + (RecordCodec.frameSize(sample()) - SpoolAppendBenchmark.PAYLOAD_BYTES)
                + " bytes (device 'bench-pi', stream 'stream-N', topic 'edge/bench-pi/s')");
    }

    /** Records per second when writing {@code batch} frames and calling force once, repeated {@code rounds} times. */
    static double rawWriteForce(int batch, int rounds) throws IOException {
        Path file = Files.createTempFile(Path.of(System.getProperty("bench.dir", "/tmp")), "raw-", ".seg");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(RecordCodec.frameSize(sample()) * batch);
            for (int i = 0; i < batch; i++) {
                RecordCodec.encode(sample(), buffer);
            }
            buffer.flip();
            long start = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                ByteBuffer view = buffer.duplicate();
                while (view.hasRemaining()) {
                    channel.write(view);
                }
                channel.force(false);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return (double) rounds * batch / seconds;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static SpoolRecord sample() {
        return new SpoolRecord("bench-pi", "stream-1", 1, 1, "edge/bench-pi/s", true, 0,
                new byte[SpoolAppendBenchmark.PAYLOAD_BYTES]);
    }
}
